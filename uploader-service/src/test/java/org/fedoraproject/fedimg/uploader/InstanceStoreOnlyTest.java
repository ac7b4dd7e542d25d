package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.uploader.support.InstanceStoreResource;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Instance-store AMIs alone (no EBS variant, so no snapshot is written first): the bundle's own pass over the
 * download verifies it, and a checksum mismatch leaves no manifest and no AMI, only parts for the janitor.
 */
@QuarkusTest
@QuarkusTestResource(value = InstanceStoreResource.class, restrictToAnnotatedClass = true)
@TestProfile(InstanceStoreOnlyTest.Profile.class)
class InstanceStoreOnlyTest extends UploaderQuarkusTest {

    static final Duration WAIT = Duration.ofMinutes(2);

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.registration.storage-types", "instance-store",
                    "fedimg.uploader.instance-store.part-size", "65536");
        }
    }

    @Test
    void aBundleIsRegisteredWithoutAnySnapshot() {
        byte[] raw = TestImages.raw(1024 * 1024, 24);
        byte[] xz = TestImages.xzSingleBlock(raw);
        server.serve("/only/a.raw.xz", xz);
        ImageReady event = Uploads.event(server.url("/only/a.raw.xz"), xz, "x86_64");
        uploads.send(event);
        List<AmiRegistered> amis = uploads.awaitRegistered(event, 1, WAIT);
        assertThat(amis).singleElement().satisfies(a -> {
            assertThat(a.ami().variant().slug()).isEqualTo("hvm-instance-store");
            assertThat(aws.inspect().imageSha256(REGION, a.ami().amiId())).isEqualTo(TestImages.sha256(raw));
        });
        assertThat(aws.inspect().snapshots(REGION))
                .noneMatch(s -> event.imageKey().equals(s.tags().get(AwsTags.IMAGE_KEY)));
    }

    @Test
    void aChecksumMismatchLeavesNoManifestAndNoAmi() {
        byte[] xz = TestImages.xzSingleBlock(TestImages.raw(600 * 1024, 25));
        server.serve("/only/bad.raw.xz", xz);
        ImageReady good = Uploads.event(server.url("/only/bad.raw.xz"), xz, "x86_64");
        String sha = good.image().sha256();
        String wrong = (sha.charAt(0) == 'a' ? "b" : "a") + sha.substring(1);
        ImageSpec i = good.image();
        ImageReady bad = Uploads.withImage(good, new ImageSpec(i.url(), i.fileName(), i.name(), wrong, i.sizeBytes(),
                i.arch(), i.release(), i.composeType(), i.variant(), i.subvariant(), i.respin()));
        uploads.send(bad);
        DeadLetter dead = uploads.awaitDeadLetter(bad, WAIT);
        assertThat(dead.reasonCode()).isEqualTo(DeadLetterReason.CHECKSUM_MISMATCH.name());
        assertThat(dead.reason()).contains("SHA-256");
        String bucket = BundleNames.bucket("fedimg-bundles", aws.accountId(), REGION);
        assertThat(aws.inspect().objects(bucket)).filteredOn(o -> o.key().startsWith(BundleNames.folder(bad.image())))
                .noneMatch(o -> o.key().endsWith(".manifest.xml"));
        assertThat(aws.inspect().images(REGION)).noneMatch(im -> bad.imageKey().equals(im.tags().get(AwsTags.IMAGE_KEY)));
        assertThat(uploads.registered(bad)).isEmpty();
    }
}
