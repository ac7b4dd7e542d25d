package org.fedoraproject.fedimg.replicator.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.messaging.EventIds;

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.ArchitectureValues;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/**
 * Makes what the uploader and tester would have made in the base region: a snapshot, an AMI per
 * variant tagged as the uploader tags it, and the {@link AmiTested} event for it.
 */
public final class SourceAmis {

    public static final String BASE = "us-east-1";

    private final Ec2AsyncClient base;

    public SourceAmis(Ec2AsyncClient base) {
        this.base = base;
    }

    public static ImageSpec image(String composeId, String composeType) {
        return image(composeId, composeType, "41");
    }

    public static ImageSpec image(String composeId, String composeType, String release) {
        String name = "Fedora-Cloud-Base-AmazonEC2.x86_64-" + release + "-" + composeId.replaceAll("[^A-Za-z0-9.-]", "");
        String file = name + ".raw.xz";
        return new ImageSpec("https://kojipkgs.example/compose/" + composeId + "/compose/Cloud/x86_64/images/" + file,
                file, name, "9c2b2f6e0f4d3a1b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b", 524288000L, "x86_64", release,
                composeType, "Cloud", "Cloud_Base", 0);
    }

    /** A registered, available AMI of one variant in the base region, tagged like the uploader's. */
    public AmiTested registerPassed(String composeId, String composeType, AmiVariant variant) {
        return register(composeId, composeType, variant, TestVerdict.PASSED, true);
    }

    public AmiTested register(String composeId, String composeType, AmiVariant variant, TestVerdict verdict,
            boolean checksumVerified) {
        return register(image(composeId, composeType), composeId, variant, verdict, checksumVerified);
    }

    /** A passed AMI of a compose of this release (per-stream settings narrow streams to a release). */
    public AmiTested registerPassed(String composeId, String composeType, String release, AmiVariant variant) {
        return register(image(composeId, composeType, release), composeId, variant, TestVerdict.PASSED, true);
    }

    private AmiTested register(ImageSpec image, String composeId, AmiVariant variant, TestVerdict verdict,
            boolean checksumVerified) {
        String imageKey = ImageKeys.of(composeId, image.fileName());
        String snapshotId = snapshot(variant.encrypted(), AwsTags.forImage(imageKey, composeId, image, "snapshot"));
        String name = AmiNames.ami(image, variant);
        Map<String, String> tags = AwsTags.forAmi(imageKey, composeId, image, variant, "image");
        tags.put(AwsTags.NAME, name);
        String amiId = base.registerImage(b -> b.name(name).description("Fedora Cloud Base 41 " + variant.slug())
                .architecture(ArchitectureValues.X86_64).virtualizationType("hvm").enaSupport(true)
                .rootDeviceName("/dev/sda1")
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(e -> e.snapshotId(snapshotId).volumeType(variant.volumeType()).deleteOnTermination(true)).build())
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE).tags(tags(tags)).build()))
                .join().imageId();
        await("AMI " + amiId + " available", () -> {
            List<Image> images = base.describeImages(b -> b.imageIds(amiId)).handle((r, t) -> t == null ? r.images() : List.<Image>of()).join();
            return !images.isEmpty() && images.get(0).state() == ImageState.AVAILABLE;
        });
        AmiRef ami = new AmiRef(BASE, amiId, name, snapshotId, "x86_64", variant, variant.encrypted() ? "alias/fedimg-upload" : null,
                List.of(), checksumVerified);
        return new AmiTested(EventIds.derived("test", imageKey, variant.slug(), amiId), imageKey, composeId, "trace-" + composeId,
                Instant.now(), image, ami, verdict, verdict == TestVerdict.PASSED ? 0 : 1, 30_000, "PASS\n", "login:",
                verdict == TestVerdict.PASSED ? null : "the test script exited 1", amiId);
    }

    /**
     * An instance-store AMI (issue 22) of {@code virtualization} registered from a bundle the test makes and signs
     * with {@code signer} (registered with the emulator by the caller), tagged like the uploader's, passed.
     */
    public AmiTested registerPassedInstanceStore(String composeId, String composeType, String virtualization,
            org.fedoraproject.fedimg.testing.bundles.InstanceStoreAmis bundles) {
        ImageSpec image = image(composeId, composeType);
        String imageKey = ImageKeys.of(composeId, image.fileName());
        AmiVariant variant = AmiVariant.instanceStore(virtualization);
        String name = AmiNames.ami(image, variant);
        Map<String, String> tags = AwsTags.forAmi(imageKey, composeId, image, variant, "image");
        tags.put(AwsTags.NAME, name);
        byte[] raw = new byte[128 * 1024];
        new java.util.Random(name.hashCode()).nextBytes(raw);
        String amiId = bundles.register(BASE, "fedimg-replicator-test-bundles", name, virtualization,
                "paravirtual".equals(virtualization) ? "aki-919dcaf8" : null, raw, tags);
        await("AMI " + amiId + " available", () -> {
            List<Image> images = base.describeImages(b -> b.imageIds(amiId)).handle((r, t) -> t == null ? r.images() : List.<Image>of()).join();
            return !images.isEmpty() && images.get(0).state() == ImageState.AVAILABLE;
        });
        AmiRef ami = new AmiRef(BASE, amiId, name, null, "x86_64", variant, null, List.of(), true);
        return new AmiTested(EventIds.derived("test", imageKey, variant.slug(), amiId), imageKey, composeId, "trace-" + composeId,
                Instant.now(), image, ami, TestVerdict.PASSED, 0, 30_000, "PASS\n", "login:", null, amiId);
    }

    private String snapshot(boolean encrypted, Map<String, String> tags) {
        String volumeId = base.createVolume(b -> b.availabilityZone(BASE + "a").size(1).volumeType(VolumeType.GP3)
                .encrypted(encrypted)).join().volumeId();
        await("volume available", () -> base.describeVolumes(b -> b.volumeIds(volumeId))
                .handle((r, t) -> t == null ? r.volumes() : List.<Volume>of()).join()
                .stream().anyMatch(v -> v.state() == VolumeState.AVAILABLE));
        String snapshotId = base.createSnapshot(b -> b.volumeId(volumeId).description("test source")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SNAPSHOT).tags(tags(tags)).build()))
                .join().snapshotId();
        await("snapshot completed", () -> base.describeSnapshots(b -> b.snapshotIds(snapshotId))
                .handle((r, t) -> t == null ? r.snapshots() : List.<Snapshot>of()).join()
                .stream().anyMatch(s -> s.state() == SnapshotState.COMPLETED));
        base.deleteVolume(b -> b.volumeId(volumeId)).join();
        return snapshotId;
    }

    static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    static void await(String what, Supplier<Boolean> done) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (done.get()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
