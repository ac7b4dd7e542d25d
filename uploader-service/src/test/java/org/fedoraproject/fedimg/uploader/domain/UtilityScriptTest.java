package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the user-data with bash on this machine, its device pointed at a file, as a utility instance would. */
class UtilityScriptTest {

    private static final byte[] RAW = TestImages.raw(2 * 1024 * 1024, 3);
    private static final byte[] XZ = TestImages.xzSingleBlock(RAW);

    @BeforeAll
    static void tools() {
        for (String tool : new String[] {"bash", "curl", "xz", "sha256sum", "dd"}) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/bin", tool)),
                    tool + " is not installed");
        }
    }

    @Test
    void writesTheVerifiedImageAndPrintsSuccess(@TempDir Path dir) throws Exception {
        try (ImageServer server = new ImageServer()) {
            server.serve("/img.raw.xz", XZ);
            Path device = Files.write(dir.resolve("volume"), new byte[4 * 1024 * 1024]);
            String out = run(spec(server.url("/img.raw.xz"), TestImages.sha256(XZ), XZ.length), device, dir);
            assertThat(out).contains("FEDIMG-UTILITY-ABCDEF SUCCESS");
            byte[] written = Files.readAllBytes(device);
            assertThat(Arrays.copyOf(written, RAW.length)).isEqualTo(RAW);
        }
    }

    @Test
    void reportsChecksumMismatchAnd404(@TempDir Path dir) throws Exception {
        try (ImageServer server = new ImageServer()) {
            server.serve("/img.raw.xz", XZ);
            Path device = Files.write(dir.resolve("volume"), new byte[1024]);
            assertThat(run(spec(server.url("/img.raw.xz"), "ab".repeat(32), XZ.length), device, dir))
                    .contains("FEDIMG-UTILITY-ABCDEF FAILED CHECKSUM_MISMATCH");
            assertThat(run(spec(server.url("/missing.raw.xz"), "ab".repeat(32), XZ.length), device, dir))
                    .contains("FEDIMG-UTILITY-ABCDEF FAILED IMAGE_NOT_FOUND");
            byte[] truncated = Arrays.copyOf(XZ, XZ.length / 2);
            server.serve("/cut.raw.xz", truncated);
            assertThat(run(spec(server.url("/cut.raw.xz"), TestImages.sha256(truncated), truncated.length), device, dir))
                    .contains("FEDIMG-UTILITY-ABCDEF FAILED TRUNCATED_XZ");
            server.serve("/plain.raw.xz", RAW);
            assertThat(run(spec(server.url("/plain.raw.xz"), TestImages.sha256(RAW), RAW.length), device, dir))
                    .contains("FEDIMG-UTILITY-ABCDEF FAILED NOT_XZ");
        }
    }

    /**
     * URLs that would run commands if pasted into the script: each is fetched byte for byte as given (the
     * server sees exactly that request target) and nothing else runs; no file appears in the working directory.
     */
    @Test
    void hostileUrlsAreFetchedExactlyAndRunNothing(@TempDir Path dir) throws Exception {
        String[] targets = {
                "/a'$(touch%20pwned-1)'.raw.xz",
                "/b';(touch,pwned-2);'.raw.xz",
                "/c%22$(touch%20pwned-3)%22%60touch%20pwned-4%60.raw.xz",
                "/d'&&touch&pwned-5&&'.raw.xz",
                "/e%0Atouch%20pwned-6%0A.raw.xz",
                "/f$IFS*!:@=+,.raw.xz" };
        try (ImageServer server = new ImageServer()) {
            Path device = Files.write(dir.resolve("volume"), new byte[4 * 1024 * 1024]);
            for (String target : targets) {
                String decoded = java.net.URLDecoder.decode(target.replace("+", "%2B"), StandardCharsets.UTF_8);
                server.serve(decoded, XZ);
                String out = run(spec(server.url(target), TestImages.sha256(XZ), XZ.length), device, dir);
                assertThat(out).as(target).contains("FEDIMG-UTILITY-ABCDEF SUCCESS");
                assertThat(server.rawTargets()).as(target).last().isEqualTo(target);
            }
            assertThat(server.rawTargets()).hasSize(targets.length);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("pwned"));
        }
    }

    /** Quotes, backticks and newlines that no valid URL carries: curl refuses them, and still nothing runs. */
    @Test
    void rawShellSyntaxInTheUrlRunsNothing(@TempDir Path dir) throws Exception {
        try (ImageServer server = new ImageServer()) {
            Path device = Files.write(dir.resolve("volume"), new byte[1024]);
            for (String url : new String[] {
                    server.url("/x`touch pwned-7`.raw.xz"),
                    server.url("/x\"$(touch pwned-8)\".raw.xz"),
                    server.url("/x\ntouch pwned-9\n.raw.xz"),
                    "--output=pwned-10 " + server.url("/x.raw.xz"),
                    "'; touch pwned-11; echo '" }) {
                String out = run(spec(url, TestImages.sha256(XZ), XZ.length), device, dir);
                assertThat(out).as(url).contains("FEDIMG-UTILITY-ABCDEF FAILED");
            }
            assertThat(server.requests()).isEmpty();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("pwned"));
        }
    }

    /** What a script cannot carry safely is refused before anything is rendered. */
    @Test
    void nulBytesAndHostileChecksumsAreNotRendered() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UtilityScript.render(
                spec("https://kojipkgs.fedoraproject.org/compose/x\0.raw.xz", "ab".repeat(32), 10), "/dev/sdf",
                UtilityScript.marker("abcdef"))).isInstanceOf(IllegalArgumentException.class);
        for (String sha : new String[] {"'$(touch pwned)'", "ab".repeat(31) + "'`", "AB".repeat(32) + "\n"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> UtilityScript.render(
                    spec("https://kojipkgs.fedoraproject.org/compose/x.raw.xz", sha, 10), "/dev/sdf",
                    UtilityScript.marker("abcdef"))).as(sha).isInstanceOf(IllegalArgumentException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UtilityScript.render(
                spec("https://kojipkgs.fedoraproject.org/compose/x.raw.xz", "ab".repeat(32), 10),
                "/dev/sdf;reboot", UtilityScript.marker("abcdef"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anImageThatDecompressesBeyondTheVolumeIsImageTooLarge(@TempDir Path dir) throws Exception {
        try (ImageServer server = new ImageServer()) {
            server.serve("/big.raw.xz", XZ);
            Path device = Files.write(dir.resolve("volume"), new byte[RAW.length / 2]);
            assertThat(run(spec(server.url("/big.raw.xz"), TestImages.sha256(XZ), XZ.length), device, dir))
                    .contains("FEDIMG-UTILITY-ABCDEF FAILED IMAGE_TOO_LARGE");
            assertThat(Files.size(device)).isEqualTo(RAW.length / 2);
        }
    }

    private static ImageSpec spec(String url, String sha, long size) {
        return new ImageSpec(url, "img.raw.xz", "img", sha, size, "x86_64", "41", "production", "Cloud", "Cloud_Base", 0);
    }

    private static String run(ImageSpec image, Path device, Path dir) throws IOException, InterruptedException {
        String script = UtilityScript.render(image, "/dev/sdf", UtilityScript.marker("abcdef"))
                .replace("'/dev/sdf'", "'" + device + "'");
        Path file = Files.writeString(dir.resolve("user-data-" + System.nanoTime()), script);
        Process p = new ProcessBuilder("bash", file.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
