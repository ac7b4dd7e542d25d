package org.fedoraproject.fedimg.tester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The test profile points fedimg.tester.script-path here; each test writes the script it needs. */
public final class Scripts {

    public static final Path CURRENT = Path.of("target/test-scripts/current.sh");
    public static final Path SSH_USER_DATA = Path.of("target/test-scripts/ssh-user-data.sh");

    private Scripts() {
    }

    public static void use(String script) {
        write(CURRENT, script);
    }

    /** A fresh gate: a path that does not exist yet, for {@link #waitingFor}. */
    public static Path newGate() {
        return Path.of("target/test-scripts/gate-" + UUID.randomUUID()).toAbsolutePath();
    }

    /**
     * A passing script that first waits until {@code gate} exists, so a test can look at a run in progress
     * without guessing how long it takes; it gives up (exit 9) after about 4 s, inside the test profile's
     * script timeout.
     */
    public static String waitingFor(Path gate) {
        return "#!/bin/bash\nfor i in $(seq 1 200); do\n  [ -e '" + gate + "' ] && { echo 'gate open'; exit 0; }\n"
                + "  sleep 0.02\ndone\necho 'gate never opened'\nexit 9\n";
    }

    public static void open(Path gate) {
        write(gate, "open\n");
    }

    public static void write(Path path, String content) {
        try {
            Files.createDirectories(path.getParent());
            Files.writeString(path, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
