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

    static Path write(String name, String markdown) {
        Path file = Path.of(System.getProperty("fedimg.reliability.dir",
                E2eConfig.projectDir().resolve("e2e/target/reliability").toString())).resolve(name);
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
