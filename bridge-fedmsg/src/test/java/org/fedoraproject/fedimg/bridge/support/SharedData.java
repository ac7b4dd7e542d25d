package org.fedoraproject.fedimg.bridge.support;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** The real Fedora data in ../shared, read in place (never copied into the repository). */
public final class SharedData {

    private SharedData() {
    }

    /** The fixtures directory, or null when fedimg.shared.dir is not set or missing. */
    public static Path fixturesOrNull() {
        String dir = System.getProperty("fedimg.shared.dir");
        if (dir == null) {
            return null;
        }
        Path p = Path.of(dir, "fixtures");
        return Files.isDirectory(p) ? p : null;
    }

    /** The fixtures directory; skips the test with a visible reason when it is absent. */
    public static Path fixtures() {
        Path p = fixturesOrNull();
        Assumptions.assumeTrue(p != null, "skipped: shared fixtures not found (system property fedimg.shared.dir="
                + System.getProperty("fedimg.shared.dir") + ")");
        return p;
    }

    public static Path file(String relative) {
        Path p = fixtures().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "skipped: shared fixture " + relative + " is missing");
        return p;
    }
}
