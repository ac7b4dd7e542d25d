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

    private static ImageSpec spec(String url, String sha, long size) {
        return new ImageSpec(url, "img.raw.xz", "img", sha, size, "x86_64", "41", "production", "Cloud", "Cloud_Base", 0);
    }

    private static String run(ImageSpec image, Path device, Path dir) throws IOException, InterruptedException {
        String script = UtilityScript.render(image, "/dev/sdf", UtilityScript.marker("abcdef"))
                .replace("'/dev/sdf'", "'" + device + "'");
        Path file = Files.writeString(dir.resolve("user-data-" + System.nanoTime()), script);
        Process p = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
