package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.uploader.support.InstanceStoreResource;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Instance-store AMIs (issue 22) through the real broker and the emulator: HVM and paravirtual bundles beside an
 * EBS AMI, the bucket and every object as AWS needs them (ACLs enabled, {@code aws-exec-read} parts, tags, the
 * fedimg prefix), the emulator's reassembled image equal to the raw image, a re-run that changes nothing, and a
 * resume that uploads only the parts that are missing.
 */
@QuarkusTest
@QuarkusTestResource(value = InstanceStoreResource.class, restrictToAnnotatedClass = true)
@TestProfile(InstanceStoreUploadTest.Profile.class)
class InstanceStoreUploadTest extends UploaderQuarkusTest {

    static final Duration WAIT = Duration.ofMinutes(2);
    static final String KERNEL = "aki-919dcaf8";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.registration.storage-types", "ebs,instance-store",
                    "fedimg.uploader.registration.virtualization-types", "hvm,paravirtual",
                    "fedimg.uploader.registration.volume-types", "gp3",
                    "fedimg.uploader.registration.paravirtual-kernel-ids.us-east-1", KERNEL,
                    // small parts, so that a 2 MiB image makes many
                    "fedimg.uploader.instance-store.part-size", "65536",
                    "fedimg.uploader.instance-store.parts-in-flight", "3");
        }
    }

    @Test
    void hvmAndParavirtualBundlesAreRegisteredAndReassembleToTheImage() {
        byte[] raw = TestImages.raw(2 * 1024 * 1024 + 4096, 22);
        byte[] xz = TestImages.xzMultiBlock(raw, TestImages.BLOCK);
        server.serve("/is/a.raw.xz", xz);
        ImageReady event = Uploads.event(server.url("/is/a.raw.xz"), xz, "x86_64");
        uploads.send(event);
        List<AmiRegistered> amis = uploads.awaitRegistered(event, 4, WAIT);
        assertThat(amis).extracting(a -> a.ami().variant().slug()).containsExactlyInAnyOrder("hvm-gp3",
                "paravirtual-gp3", "hvm-instance-store", "paravirtual-instance-store");

        String bucket = BundleNames.bucket("fedimg-bundles", aws.accountId(), REGION);
        for (AmiRegistered a : amis.stream().filter(a -> a.ami().variant().instanceStore()).toList()) {
            AmiVariant v = a.ami().variant();
            assertThat(v.storageType()).isEqualTo("instance-store");
            assertThat(a.ami().snapshotId()).isNull();
            assertThat(a.ami().checksumVerified()).isTrue();
            Views.Image image = aws.inspect().image(REGION, a.ami().amiId()).orElseThrow();
            assertThat(image.state()).isEqualTo("available");
            assertThat(image.rootDeviceType()).isEqualTo("instance-store");
            assertThat(image.imageLocation()).isEqualTo(bucket + "/" + BundleNames.manifest(event.image(), v));
            assertThat(image.virtualizationType()).isEqualTo(v.virtualizationType());
            assertThat(image.kernelId()).isEqualTo("paravirtual".equals(v.virtualizationType()) ? KERNEL : null);
            assertThat(image.tags()).containsEntry(AwsTags.IMAGE_KEY, event.imageKey())
                    .containsEntry(AwsTags.VARIANT, v.slug()).containsEntry(AwsTags.CREATED_BY, "fedimg");
            assertThat(aws.inspect().imageSha256(REGION, a.ami().amiId())).isEqualTo(TestImages.sha256(raw));
        }

        Views.Bucket b = aws.inspect().bucket(bucket).orElseThrow();
        assertThat(b.region()).isEqualTo(REGION);
        assertThat(b.objectOwnership()).isEqualTo("ObjectWriter");
        assertThat(b.tags()).containsEntry(AwsTags.CREATED_BY, "fedimg");
        List<Views.S3Object> objects = objectsOf(bucket, event);
        List<Views.S3Object> parts = objects.stream().filter(o -> o.key().contains(".part.")).toList();
        assertThat(parts).hasSizeGreaterThan(3).allSatisfy(p -> {
            assertThat(p.acl()).isEqualTo("aws-exec-read");
            assertThat(p.checksumAlgorithm()).isEqualTo("SHA1");
            assertThat(p.tags()).containsEntry(AwsTags.CREATED_BY, "fedimg").containsEntry(AwsTags.IMAGE_KEY,
                    event.imageKey()).containsEntry(AwsTags.PURPOSE, "bundle");
        });
        // the parts, the plan and one manifest per variant; nothing else
        assertThat(objects).hasSize(parts.size() + 3);
        assertThat(objects).allSatisfy(o -> assertThat(o.key()).startsWith(BundleNames.folder(event.image())));

        // the same event again: the AMIs are found by name, nothing is bundled or registered again
        long puts = aws.inspect().callCount("PutObject");
        long registers = aws.inspect().callCount("RegisterImage");
        uploads.send(event);
        List<AmiRegistered> again = uploads.awaitRegistered(event, 4, WAIT);
        assertThat(again).extracting(a -> a.ami().amiId()).containsOnly(amis.stream().map(a -> a.ami().amiId())
                .toArray(String[]::new));
        assertThat(aws.inspect().callCount("PutObject")).isEqualTo(puts);
        assertThat(aws.inspect().callCount("RegisterImage")).isEqualTo(registers);
        assertThat(objectsOf(bucket, event)).hasSize(objects.size());
        assertThat(uploads.deadLetters(event)).isEmpty();
    }

    @Test
    void aRerunAfterACrashMidBundleUploadsOnlyTheMissingPartsWithTheStoredPlan() {
        byte[] raw = TestImages.raw(1024 * 1024 + 512, 23);
        byte[] xz = TestImages.xzSingleBlock(raw);
        server.serve("/is/b.raw.xz", xz);
        ImageReady event = Uploads.event(server.url("/is/b.raw.xz"), xz, "x86_64");
        uploads.send(event);
        List<AmiRegistered> first = uploads.awaitRegistered(event, 4, WAIT);
        String bucket = BundleNames.bucket("fedimg-bundles", aws.accountId(), REGION);
        List<Views.S3Object> objects = objectsOf(bucket, event);
        List<String> parts = objects.stream().map(Views.S3Object::key).filter(k -> k.contains(".part.")).sorted().toList();
        assertThat(parts).hasSizeGreaterThan(4);

        // what a crash in the middle of the part uploads leaves: the plan and the first parts, no manifest, no AMI
        try (S3AsyncClient s3 = S3AsyncClient.builder().region(Region.US_EAST_1).endpointOverride(aws.endpoint())
                .forcePathStyle(true).credentialsProvider(credentials()).build();
                Ec2AsyncClient ec2 = Ec2AsyncClient.builder().region(Region.US_EAST_1).endpointOverride(aws.endpoint())
                        .credentialsProvider(credentials()).build()) {
            first.stream().filter(a -> a.ami().variant().instanceStore()).forEach(a -> {
                ec2.deregisterImage(r -> r.imageId(a.ami().amiId())).join();
                s3.deleteObject(r -> r.bucket(bucket).key(BundleNames.manifest(event.image(), a.ami().variant()))).join();
            });
            for (String key : parts.subList(3, parts.size())) {
                s3.deleteObject(r -> r.bucket(bucket).key(key)).join();
            }
        }
        long puts = aws.inspect().callCount("PutObject");
        uploads.send(withNewEventId(event));
        List<AmiRegistered> resumed = uploads.awaitRegistered(event, 8, WAIT);
        List<AmiRegistered> bundles = resumed.stream().filter(a -> a.ami().variant().instanceStore())
                .filter(a -> first.stream().noneMatch(f -> f.ami().amiId().equals(a.ami().amiId()))).toList();
        assertThat(bundles).hasSize(2).allSatisfy(a ->
                assertThat(aws.inspect().imageSha256(REGION, a.ami().amiId())).isEqualTo(TestImages.sha256(raw)));
        // the stored plan made byte-identical parts: the three kept are skipped, the rest and two manifests put
        assertThat(aws.inspect().callCount("PutObject") - puts).isEqualTo(parts.size() - 3 + 2);
        assertThat(objectsOf(bucket, event)).extracting(Views.S3Object::key)
                .containsExactlyInAnyOrderElementsOf(objects.stream().map(Views.S3Object::key).toList());
    }

    private List<Views.S3Object> objectsOf(String bucket, ImageReady event) {
        return aws.inspect().objects(bucket).stream()
                .filter(o -> o.key().startsWith(BundleNames.folder(event.image()))).toList();
    }

    private static ImageReady withNewEventId(ImageReady e) {
        return new ImageReady(java.util.UUID.randomUUID().toString(), e.imageKey(), e.composeId(), e.traceId(),
                e.time(), e.image(), e.force(), e.sourceMessageId());
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }
}
