package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code local-run/}: one directory per local run, named by its start time in milliseconds, holding the generated
 * compose (about 13 MB with the default image size) and the test script. A new run keeps the last few and removes
 * the rest; only directories named like runs are touched.
 */
final class RunDirectories {

    private final Path root;
    private final int keep;

    /** @param keep how many runs stay, the new one included */
    RunDirectories(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep-runs must be at least 1 (the run itself)");
        }
        this.root = root;
        this.keep = keep;
    }

    /** Removes all but the newest {@code keep - 1} earlier runs, then makes the new run's directory. */
    Created create(long startMillis) {
        try {
            Files.createDirectories(root);
            List<Path> earlier = runs();
            List<Path> removed = new ArrayList<>();
            for (Path old : earlier.subList(0, Math.max(0, earlier.size() - (keep - 1)))) {
                delete(old);
                removed.add(old);
            }
            Path dir = root.resolve(String.valueOf(startMillis));
            Files.createDirectory(dir);
            return new Created(dir, removed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Created(Path dir, List<Path> removed) {
    }

    /** Earlier runs, oldest first. */
    private List<Path> runs() throws IOException {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("\\d{10,}"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString()))).toList();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
