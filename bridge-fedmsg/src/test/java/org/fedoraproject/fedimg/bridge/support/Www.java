package org.fedoraproject.fedimg.bridge.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files served by the test's {@link ComposeServer} (its root comes from {@link BridgeTestResource}). */
public final class Www {

    private Www() {
    }

    public static Path root() {
        return Path.of(System.getProperty("bridge.test.www"));
    }

    public static String baseUrl() {
        return System.getProperty("bridge.test.compose-url");
    }

    public static void put(String path, String content) {
        try {
            Path p = root().resolve(path);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves a shared fixture in place (a symbolic link, nothing copied). */
    public static void link(String path, Path target) {
        try {
            Path p = root().resolve(path);
            Files.createDirectories(p.getParent());
            Files.deleteIfExists(p);
            Files.createSymbolicLink(p, target.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void failNext(String path, int times) {
        put(path + ".fail", String.valueOf(times));
    }

    /** images.json path for a compose location under https://kojipkgs.fedoraproject.org/ (rewritten to here). */
    public static String imagesJsonPath(String kojipkgsLocation) {
        String rel = kojipkgsLocation.replaceFirst("^https?://kojipkgs.fedoraproject.org/+", "");
        return rel.replaceAll("/+", "/") + "/metadata/images.json";
    }
}
