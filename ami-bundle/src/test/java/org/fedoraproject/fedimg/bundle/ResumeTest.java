package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.COMPOSED;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The README's resume design: a stored plan reproduces the parts byte for byte. */
class ResumeTest {

    private static final long SIZE = 3L * 1024 * 1024 + 77;
    private static final BundleSpec SPEC = new BundleSpec("resumed.raw", SIZE, COMPOSED.getEpochSecond(), 64 * 1024, 1);
    private static final String IMAGE_ID = "sha256:" + "ab".repeat(32);

    @Test
    void samePlanAndImageGiveTheSamePartsHoweverTheImageIsRead() throws Exception {
        BundlePlan plan = BundlePlan.create(SPEC, IMAGE_ID, new SecureRandom());
        PartStore first = new PartStore();
        PartStore second = new PartStore();

        BundledImage a = plan.writer(2).write(image(), first);
        // big buffered reads instead of the generator's short ones
        BundledImage b = plan.writer(1).write(new BufferedInputStream(image(), 1 << 20), second);

        assertThat(b).isEqualTo(a);
        assertThat(second.objects).hasSameSizeAs(first.objects).hasSizeGreaterThan(3);
        first.objects.forEach((name, bytes) -> assertThat(second.objects.get(name)).as(name).isEqualTo(bytes));

        BundledImage other = BundlePlan.create(SPEC, IMAGE_ID, new SecureRandom()).writer(1).write(image(),
                new PartStore());
        assertThat(other.imageDigestSha1Hex()).isEqualTo(a.imageDigestSha1Hex()); // same tar stream
        assertThat(other.parts().get(0).sha1Hex()).isNotEqualTo(a.parts().get(0).sha1Hex()); // other keys
    }

    @Test
    void planSurvivesItsTextAndIsBoundToItsSigner() throws Exception {
        BundlePlan plan = BundlePlan.create(SPEC, IMAGE_ID, new SecureRandom());
        String text = plan.encode(TestPki.USER.credentials());

        assertThat(BundlePlan.decode(text, TestPki.USER.credentials())).isEqualTo(plan);
        assertThat(text).startsWith("fedimg-bundle-plan 1\nname resumed.raw\n").doesNotContain(plan.keys().toString());
        assertThatThrownBy(() -> BundlePlan.decode(text, TestPki.OTHER_USER.credentials()))
                .isInstanceOf(BundlePlanException.class).hasMessageContaining("not signed by");
        assertThatThrownBy(() -> BundlePlan.decode(text.replace("part-size 65536", "part-size 65537"),
                TestPki.USER.credentials())).isInstanceOf(BundlePlanException.class);
        assertThatThrownBy(() -> BundlePlan.decode(text.substring(0, text.indexOf("signature")),
                TestPki.USER.credentials())).isInstanceOf(BundlePlanException.class);
        String otherFormat = resigned(text.replace("fedimg-bundle-plan 1", "fedimg-bundle-plan 2"));
        assertThatThrownBy(() -> BundlePlan.decode(otherFormat, TestPki.USER.credentials()))
                .isInstanceOf(BundlePlanException.class).hasMessageContaining("format 2");
    }

    /**
     * A crash after three uploads; the rerun reads the stored plan, re-bundles, skips the parts S3 already
     * holds with the same SHA-1, uploads the rest, and its manifest reads back to the image.
     */
    @Test
    void rerunAfterACrashSkipsTheUploadedPartsAndCompletesTheBundle() throws Exception {
        PartStore bucket = new PartStore();
        BundlePlan plan = BundlePlan.create(SPEC, IMAGE_ID, new SecureRandom());
        String storedPlan = plan.encode(TestPki.USER.credentials()); // stored before the first part

        PartSink crashing = part -> {
            if (part.index() == 3) {
                return CompletableFuture.failedFuture(new IllegalStateException("kill -9"));
            }
            return bucket.accept(part);
        };
        assertThatThrownBy(() -> plan.writer(1).write(image(), crashing)).isInstanceOf(PartSinkException.class);
        assertThat(bucket.objects).containsOnlyKeys("resumed.raw.part.00", "resumed.raw.part.01",
                "resumed.raw.part.02");

        BundlePlan resumed = BundlePlan.decode(storedPlan, TestPki.USER.credentials());
        assertThat(resumed.imageId()).isEqualTo(IMAGE_ID);
        AtomicInteger skipped = new AtomicInteger();
        PartSink resuming = part -> {
            byte[] stored = bucket.objects.get(part.fileName());
            if (stored != null && sha1(stored).equals(part.sha1Hex())) { // S3: HeadObject's ChecksumSHA1
                skipped.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            return bucket.accept(part);
        };
        TestImages.Generated image = image();
        BundledImage bundled = resumed.writer(2).write(image, resuming);

        assertThat(skipped).hasValue(3);
        assertThat(bucket.objects).hasSize(bundled.parts().size());
        BundleManifest manifest = BundleRoundTripTest.read(bundled, resumed.keys());
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream in = BundleReader.open(manifest, resumed.keys(), bucket)) {
            sha256.update(in.readAllBytes());
        }
        assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(image.sha256Hex());
    }

    private static TestImages.Generated image() {
        return TestImages.mostlyZeros(SIZE, 4, 11);
    }

    private static String resigned(String text) {
        String body = text.substring(0, text.indexOf("signature "));
        byte[] sig = Rsa.sign("SHA256withRSA", TestPki.USER.keys().getPrivate(),
                body.getBytes(StandardCharsets.UTF_8));
        return body + "signature " + HexFormat.of().formatHex(sig) + "\n";
    }

    private static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
