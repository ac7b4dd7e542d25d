package org.fedoraproject.fedimg.emulator.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;


/**
 * The project's bootable test images (test-images/build.sh: x86_64-hybrid, x86_64-uefi, aarch64-uefi), built by
 * the project's own script on first use and cached by it ({@code ~/.cache/fedimg/test-images}; a cached build
 * takes well under a second). For tests on the qemu backend: {@link #skipReason} says why a test cannot run here
 * (no QEMU, no build script, the build failed), so that it skips with that reason.
 */
public final class TestImages {

    /** Where the checkout is when the working directory is not inside it (local mode sets it). */
    public static final String PROJECT_DIR_PROPERTY = "fedimg.project-dir";
    private static final long BUILD_MINUTES = 10;
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final Map<String, String> FAILED = new ConcurrentHashMap<>();

    private TestImages() {
    }

    /** The EC2 architecture of an image. */
    public static String architecture(String image) {
        return image.startsWith("aarch64") ? "arm64" : "x86_64";
    }

    /** Why a test booting this image cannot run on this host, or empty when it can (the image is then built). */
    public static Optional<String> skipReason(String image) {
        return build(image, false);
    }

    /**
     * The image xz-compressed ({@code disk.raw.xz}, as a compose ships it), built if need be; empty with the
     * reason in {@code why} when it cannot be.
     */
    public static Optional<Path> compressed(String image, java.util.function.Consumer<String> why) {
        Optional<String> reason = build(image, true);
        if (reason.isPresent()) {
            why.accept(reason.get());
            return Optional.empty();
        }
        return Optional.of(BUILT.get(image + ".xz"));
    }

    private static synchronized Optional<String> build(String image, boolean xz) {
        String key = xz ? image + ".xz" : image;
        List<String> missing = QemuHost.get().missingFor(architecture(image));
        if (!missing.isEmpty()) {
            return Optional.of("QEMU cannot boot " + architecture(image) + " here; apt-get install "
                    + String.join(" ", missing));
        }
        if (BUILT.containsKey(key)) {
            return Optional.empty();
        }
        if (FAILED.containsKey(key)) {
            return Optional.of(FAILED.get(key));
        }
        Optional<Path> script = script();
        if (script.isEmpty()) {
            return Optional.of("test-images/build.sh not found above " + Path.of("").toAbsolutePath());
        }
        try {
            Path log = Files.createTempFile("fedimg-test-image-", ".log");
            List<String> cmd = new java.util.ArrayList<>(List.of("bash", script.get().toString()));
            if (xz) {
                cmd.add("--xz");
            }
            cmd.add(image);
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return fail(key, "test-images/build.sh " + image + " took over " + BUILD_MINUTES + " min");
            }
            String tail = tail(log);
            Files.deleteIfExists(log);
            for (String line : out.lines().toList()) {
                String[] parts = line.split(" ", 2);
                if (parts.length == 2 && parts[0].equals(image) && Files.isRegularFile(Path.of(parts[1]))) {
                    Path raw = Path.of(parts[1]);
                    BUILT.put(image, raw);
                    Path packed = raw.resolveSibling("disk.raw.xz");
                    if (Files.isRegularFile(packed)) {
                        BUILT.put(image + ".xz", packed);
                    }
                    if (BUILT.containsKey(key)) {
                        return Optional.empty();
                    }
                }
            }
            return fail(key, "test-images/build.sh " + image + " failed (exit " + p.exitValue() + "): " + tail);
        } catch (IOException e) {
            return fail(key, "test-images/build.sh " + image + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while building " + image);
        }
    }

    /** The image's raw disk; call {@link #skipReason} first. */
    public static Path disk(String image) {
        Optional<String> reason = skipReason(image);
        if (reason.isPresent()) {
            throw new IllegalStateException(reason.get());
        }
        return BUILT.get(image);
    }

    /** test-images/build.sh in this directory or one above (tests run in their module's directory). */
    public static Optional<Path> script() {
        String project = System.getProperty(PROJECT_DIR_PROPERTY);
        if (project != null && Files.isRegularFile(Path.of(project, "test-images/build.sh"))) {
            return Optional.of(Path.of(project, "test-images/build.sh"));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path s = dir.resolve("test-images/build.sh");
            if (Files.isRegularFile(s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> fail(String key, String reason) {
        FAILED.put(key, reason);
        return Optional.of(reason);
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log, StandardCharsets.UTF_8).strip();
            return s.length() > 400 ? s.substring(s.length() - 400) : s;
        } catch (IOException e) {
            return "";
        }
    }
}
