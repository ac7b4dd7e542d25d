package org.fedoraproject.fedimg.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the material (deploy/) and the repository root are, from surefire's properties or the cwd. */
final class Paths {

    static final Path DEPLOY = locate("fedimg.deploy.dir", Path.of("").toAbsolutePath());
    static final Path ROOT = locate("fedimg.root.dir", DEPLOY.getParent());

    private Paths() {
    }

    private static Path locate(String property, Path fallback) {
        String value = System.getProperty(property);
        Path p = (value == null ? fallback : Path.of(value)).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(property + " is not a directory: " + p);
        }
        return p;
    }
}
