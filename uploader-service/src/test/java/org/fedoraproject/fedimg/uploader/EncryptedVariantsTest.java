package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The encrypted half of the AMI matrix: with a KMS key configured, each unencrypted AMI gets an
 * EBS-encrypted twin, made by an encrypted CopyImage, marked for sharing with the configured accounts
 * (an encrypted AMI can never be public).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
@TestProfile(EncryptedVariantsTest.Profile.class)
class EncryptedVariantsTest {

    static final String REGION = "us-east-1";
    static final String KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/fedimg-test";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.registration.encryption.kms-key-id", KMS_KEY,
                    "fedimg.uploader.registration.encryption.share-with-accounts", "111122223333,444455556666");
        }
    }

    @InjectAwsEmulator
    AwsEmulator aws;

    @Test
    void everyVariantGetsAnEncryptedTwinSharedWithTheConfiguredAccounts() throws IOException {
        byte[] raw = TestImages.raw(2 * 1024 * 1024, 21);
        byte[] xz = TestImages.xzSingleBlock(raw);
        try (ImageServer server = new ImageServer(); TopicProbe probe = TopicProbe.forSharedBroker()) {
            server.serve("/enc/Fedora.raw.xz", xz);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/enc/Fedora.raw.xz"), xz, "x86_64");
            uploads.send(event);
            List<AmiRegistered> amis = uploads.awaitRegistered(event, 4, Duration.ofMinutes(2));
            assertThat(amis).extracting(a -> a.ami().variant().slug()).containsExactlyInAnyOrder("hvm-gp3",
                    "hvm-standard", "hvm-gp3-encrypted", "hvm-standard-encrypted");
            String plainSnapshot = amis.stream().filter(a -> !a.ami().variant().encrypted()).findFirst().orElseThrow()
                    .ami().snapshotId();
            for (AmiRegistered a : amis) {
                Views.Image image = aws.inspect().image(REGION, a.ami().amiId()).orElseThrow();
                Views.BlockDevice root = image.blockDeviceMappings().get(0);
                assertThat(image.state()).isEqualTo("available");
                assertThat(image.isPublic()).isFalse();
                assertThat(image.tags()).containsEntry(AwsTags.IMAGE_KEY, event.imageKey())
                        .containsEntry(AwsTags.VARIANT, a.ami().variant().slug());
                if (a.ami().variant().encrypted()) {
                    assertThat(a.ami().kmsKeyId()).isEqualTo(KMS_KEY);
                    assertThat(a.ami().shareWithAccounts()).containsExactly("111122223333", "444455556666");
                    assertThat(root.encrypted()).isTrue();
                    assertThat(root.kmsKeyId()).isEqualTo(KMS_KEY);
                    assertThat(root.snapshotId()).isNotEqualTo(plainSnapshot);
                    Views.Snapshot snapshot = aws.inspect().snapshot(REGION, root.snapshotId()).orElseThrow();
                    assertThat(snapshot.encrypted()).isTrue();
                    assertThat(snapshot.tags()).containsEntry(AwsTags.IMAGE_KEY, event.imageKey())
                            .containsEntry(AwsTags.CREATED_BY, "fedimg");
                    // the encrypted copy holds the same bytes: the verified image
                    assertThat(aws.inspect().snapshotSha256(REGION, root.snapshotId()))
                            .isEqualTo(TestImages.paddedSha256(raw, 1L << 30));
                } else {
                    assertThat(a.ami().kmsKeyId()).isNull();
                    assertThat(root.encrypted()).isNotEqualTo(Boolean.TRUE);
                    assertThat(root.snapshotId()).isEqualTo(plainSnapshot);
                }
            }

            // delivered again: the copies are found by name, nothing new is made
            long copies = aws.inspect().callCount("CopyImage");
            long registers = aws.inspect().callCount("RegisterImage");
            uploads.send(event);
            assertThat(uploads.awaitRegistered(event, 8, Duration.ofMinutes(2))).extracting(a -> a.ami().amiId())
                    .containsOnly(amis.stream().map(a -> a.ami().amiId()).toArray(String[]::new));
            assertThat(aws.inspect().callCount("CopyImage")).isEqualTo(copies);
            assertThat(aws.inspect().callCount("RegisterImage")).isEqualTo(registers);
        }
    }

    /**
     * The variants are registered side by side and each encrypted twin is copied as soon as its own twin is
     * available (issue 20): one after the other, each waited for the previous one's "available", and the image's
     * first test for all of them. Shown by creation times: with 3 s until an AMI is available, the two unencrypted
     * AMIs are created less than 3 s apart, each encrypted copy at least 3 s after its twin, the two copies less
     * than 3 s apart.
     */
    @Test
    void variantsAreRegisteredSideBySide() throws IOException {
        Duration available = Duration.ofSeconds(3);
        byte[] xz = TestImages.xzSingleBlock(TestImages.raw(2 * 1024 * 1024, 22));
        Delays before = aws.delays();
        aws.delays(before.toBuilder().imageAvailable(available).copyAvailable(available).build());
        try (ImageServer server = new ImageServer(); TopicProbe probe = TopicProbe.forSharedBroker()) {
            server.serve("/side/Fedora.raw.xz", xz);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/side/Fedora.raw.xz"), xz, "x86_64");
            uploads.send(event);
            Map<String, Views.Image> bySlug = uploads.awaitRegistered(event, 4, Duration.ofMinutes(2)).stream()
                    .collect(Collectors.toMap(a -> a.ami().variant().slug(),
                            a -> aws.inspect().image(REGION, a.ami().amiId()).orElseThrow(), (a, b) -> a));
            Function<String, java.time.Instant> created = slug -> bySlug.get(slug).creationDate();
            assertThat(Duration.between(created.apply("hvm-gp3"), created.apply("hvm-standard")).abs())
                    .isLessThan(available);
            assertThat(Duration.between(created.apply("hvm-gp3-encrypted"), created.apply("hvm-standard-encrypted"))
                    .abs()).isLessThan(available);
            for (String plain : List.of("hvm-gp3", "hvm-standard")) {
                assertThat(Duration.between(created.apply(plain), created.apply(plain + "-encrypted")))
                        .isGreaterThanOrEqualTo(available);
            }
        } finally {
            aws.delays(before);
        }
    }
}
