package org.fedoraproject.fedimg.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The results as they go into docs/benchmarks.md: echoed to stdout and kept for target/bench/results.md. */
final class Markdown {

    private final StringBuilder text = new StringBuilder();

    Markdown line(String format, Object... args) {
        String line = args.length == 0 ? format : String.format(format, args);
        System.out.println(line);
        text.append(line).append('\n');
        return this;
    }

    Markdown table(String... header) {
        line("| " + String.join(" | ", header) + " |");
        return line("|" + " --- |".repeat(header.length));
    }

    Markdown row(Object... cells) {
        return line("| " + String.join(" | ", List.of(cells).stream().map(String::valueOf).toList()) + " |");
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String mib(long kib) {
        return kib < 0 ? "—" : String.format("%.0f MiB", kib / 1024.0);
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
