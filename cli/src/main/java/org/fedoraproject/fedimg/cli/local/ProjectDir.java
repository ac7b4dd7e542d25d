package org.fedoraproject.fedimg.cli.local;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the fedimg checkout from where this CLI runs (cli/target/fedimg-cli.jar or cli/target/classes). */
final class ProjectDir {

    private ProjectDir() {
    }

    static Path find() {
        try {
            Path here = Path.of(ProjectDir.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.exists(p.resolve("mvnw")) && Files.isDirectory(p.resolve("uploader-service"))) {
                    return p;
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return Path.of("").toAbsolutePath();
    }
}
