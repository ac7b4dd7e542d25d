package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A section of the reliability report: {@code e2e/target/reliability/<name>} (or {@code fedimg.reliability.dir}).
 * The report assembler of the {@code reliability} profile joins the sections, in name order, into
 * docs/reliability.md.
 */
final class ReportFragment {

    private ReportFragment() {
    }

    /**
     * What a section injected, by kind (kills, restarts, faults, bad inputs), next to the section as
     * {@code <name>.injected} (one {@code kind<TAB>count} per line): the report sums them over the sections it joins.
     */
    static void injected(Path section, java.util.Map<String, Long> counts) {
        StringBuilder lines = new StringBuilder();
        counts.forEach((kind, n) -> lines.append(kind.replace('\t', ' ').replace('\n', ' ')).append('\t').append(n)
                .append('\n'));
        Path file = injectedFile(section);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The injected counts next to a section: {@code 10-crashes.md} → {@code 10-crashes.injected}. */
    static Path injectedFile(Path section) {
        return section.resolveSibling(section.getFileName().toString().replaceFirst("\\.md$", "") + ".injected");
    }

    static Path dir() {
        return Path.of(System.getProperty("fedimg.reliability.dir",
                E2eConfig.projectDir().resolve("e2e/target/reliability").toString()));
    }

    static Path write(String name, String markdown) {
        Path file = dir().resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, markdown.endsWith("\n") ? markdown : markdown + "\n");
            System.out.println("[reliability] wrote " + file + ":\n" + markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
