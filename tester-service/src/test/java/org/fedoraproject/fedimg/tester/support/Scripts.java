package org.fedoraproject.fedimg.tester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test profile points fedimg.tester.script-path here; each test writes the script it needs. */
public final class Scripts {

    public static final Path CURRENT = Path.of("target/test-scripts/current.sh");
    public static final Path SSH_USER_DATA = Path.of("target/test-scripts/ssh-user-data.sh");

    private Scripts() {
    }

    public static void use(String script) {
        write(CURRENT, script);
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
