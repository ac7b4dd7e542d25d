package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

class ImagesTest extends EmulatorTest {

    @Test
    void registerImageKeepsEveryParameter() {
        String snap = sdk.uploadSnapshot(US_EAST_1, 2, Map.of(0, Sdk.block(0)), Map.of());
        String ami = ec2().registerImage(b -> b.name("Fedora-Cloud-Base-AmazonEC2.aarch64-41-20241027.0")
                .description("Fedora 41 aarch64")
                .architecture("arm64")
                .virtualizationType("hvm")
                .rootDeviceName("/dev/sda1")
                .kernelId("aki-12345678")
                .enaSupport(true)
                .sriovNetSupport("simple")
                .bootMode("uefi")
                .imdsSupport("v2.0")
                .tpmSupport("v2.0")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE)
                        .tags(Tag.builder().key("fedimg:image-key").value("k1").build()).build())
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(EbsBlockDevice.builder().snapshotId(snap).volumeSize(6).volumeType("gp3")
                                .deleteOnTermination(true).build()).build(),
                        BlockDeviceMapping.builder().deviceName("/dev/sdb").virtualName("ephemeral0").build()))
                .join().imageId();
        Image image = ec2().describeImages(b -> b.imageIds(ami)).join().images().get(0);
        assertThat(image.name()).isEqualTo("Fedora-Cloud-Base-AmazonEC2.aarch64-41-20241027.0");
        assertThat(image.description()).isEqualTo("Fedora 41 aarch64");
        assertThat(image.architectureAsString()).isEqualTo("arm64");
        assertThat(image.virtualizationTypeAsString()).isEqualTo("hvm");
        assertThat(image.rootDeviceName()).isEqualTo("/dev/sda1");
        assertThat(image.rootDeviceTypeAsString()).isEqualTo("ebs");
        assertThat(image.kernelId()).isEqualTo("aki-12345678");
        assertThat(image.enaSupport()).isTrue();
        assertThat(image.sriovNetSupport()).isEqualTo("simple");
        assertThat(image.bootModeAsString()).isEqualTo("uefi");
        assertThat(image.imdsSupportAsString()).isEqualTo("v2.0");
        assertThat(image.tpmSupportAsString()).isEqualTo("v2.0");
        assertThat(image.stateAsString()).isEqualTo("available");
        assertThat(image.ownerId()).isEqualTo("123456789012");
        assertThat(image.publicLaunchPermissions()).isFalse();
        assertThat(image.tags()).containsExactly(Tag.builder().key("fedimg:image-key").value("k1").build());
        assertThat(image.blockDeviceMappings()).hasSize(2);
        EbsBlockDevice root = image.blockDeviceMappings().get(0).ebs();
        assertThat(root.snapshotId()).isEqualTo(snap);
        assertThat(root.volumeSize()).isEqualTo(6);
        assertThat(root.volumeTypeAsString()).isEqualTo("gp3");
        assertThat(root.deleteOnTermination()).isTrue();
        assertThat(root.encrypted()).isFalse();
        assertThat(image.blockDeviceMappings().get(1).virtualName()).isEqualTo("ephemeral0");
        assertThat(aws.inspect().image(US_EAST_1, ami)).hasValueSatisfying(v -> {
            assertThat(v.tpmSupport()).isEqualTo("v2.0");
            assertThat(v.rootSnapshotId()).isEqualTo(snap);
        });
    }

    @Test
    void registerImageValidatesLikeAws() {
        String snap = sdk.uploadSnapshot(US_EAST_1, 2, Map.of(0, Sdk.block(0)), Map.of());
        ec2().registerImage(Sdk.fedoraRegistration("Fedora-A", snap)).join();
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-A", snap)).join(),
                "InvalidAMIName.Duplicate");
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("x", snap)).join(), "InvalidAMIName.Malformed");
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-B", "snap-0123456789abcdef0")).join(),
                "InvalidSnapshot.NotFound");
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-C", snap).toBuilder()
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(e -> e.snapshotId(snap).volumeSize(1)).build()).build()).join(),
                "InvalidBlockDeviceMapping");
        // The same name is fine in another region: names are unique per region.
        String other = sdk.uploadSnapshot(EU_WEST_1, 1, Map.of(1, Sdk.block(1)), Map.of());
        assertThat(ec2(EU_WEST_1).registerImage(Sdk.fedoraRegistration("Fedora-A", other)).join().imageId())
                .startsWith("ami-");
    }

    @Test
    void describeImagesFiltersByNameTagStateAndOwner() {
        String a = registeredImage(US_EAST_1, "Fedora-Cloud-Base-41-1.4.x86_64");
        String b = registeredImage(US_EAST_1, "Fedora-Cloud-Base-42-1.1.x86_64");
        ec2().createTags(t -> t.resources(a).tags(Tag.builder().key("fedimg:image-key").value("F41").build())).join();
        assertThat(ids(ec2().describeImages(r -> r.filters(filter("name", "Fedora-Cloud-Base-41-*"))).join().images()))
                .containsExactly(a);
        assertThat(ids(ec2().describeImages(r -> r.filters(filter("tag:fedimg:image-key", "F41"))).join().images()))
                .containsExactly(a);
        assertThat(ids(ec2().describeImages(r -> r.filters(filter("tag-key", "fedimg:image-key"))).join().images()))
                .containsExactly(a);
        assertThat(ids(ec2().describeImages(r -> r.owners("self").filters(filter("state", "available"))).join()
                .images())).containsExactlyInAnyOrder(a, b);
        assertThat(ec2().describeImages(r -> r.owners("amazon")).join().images()).isEmpty();
        assertThat(ids(ec2().describeImages(r -> r.filters(filter("image-id", b))).join().images())).containsExactly(b);
        assertThat(ec2().describeImages(r -> r.filters(filter("name", "nothing*"))).join().images()).isEmpty();
        assertAwsError(() -> ec2().describeImages(r -> r.imageIds("ami-0123456789abcdef0")).join(),
                "InvalidAMIID.NotFound");
        assertAwsError(() -> ec2().describeImages(r -> r.imageIds("bogus")).join(), "InvalidAMIID.Malformed");
        assertAwsError(() -> ec2().describeImages(r -> r.filters(filter("no-such-filter", "x"))).join(),
                "InvalidParameterValue");
    }

    @Test
    void launchPermissionsBothFormsAndExecutableUsers() {
        String ami = registeredImage(US_EAST_1, "Fedora-public");
        assertThat(ec2().describeImages(r -> r.executableUsers("all")).join().images()).isEmpty();
        ec2().modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().group("all").build()))).join();
        Image image = ec2().describeImages(r -> r.imageIds(ami)).join().images().get(0);
        assertThat(image.publicLaunchPermissions()).isTrue();
        assertThat(ids(ec2().describeImages(r -> r.executableUsers("all")).join().images())).containsExactly(ami);
        assertThat(ids(ec2().describeImages(r -> r.filters(filter("is-public", "true"))).join().images()))
                .containsExactly(ami);
        DescribeImageAttributeResponse attr = ec2().describeImageAttribute(r -> r.imageId(ami)
                .attribute(ImageAttributeName.LAUNCH_PERMISSION)).join();
        assertThat(attr.launchPermissions()).extracting(LaunchPermission::groupAsString).containsExactly("all");

        // The OperationType + UserGroups/UserIds form.
        ec2().modifyImageAttribute(r -> r.imageId(ami).attribute("launchPermission").operationType("remove")
                .userGroups("all")).join();
        ec2().modifyImageAttribute(r -> r.imageId(ami).attribute("launchPermission").operationType("add")
                .userIds("210987654321")).join();
        attr = ec2().describeImageAttribute(r -> r.imageId(ami).attribute(ImageAttributeName.LAUNCH_PERMISSION)).join();
        assertThat(attr.launchPermissions()).extracting(LaunchPermission::userId).containsExactly("210987654321");
        assertThat(aws.inspect().image(US_EAST_1, ami).orElseThrow().launchPermissionUsers())
                .containsExactly("210987654321");
        assertThat(ids(ec2().describeImages(r -> r.executableUsers("210987654321")).join().images()))
                .containsExactly(ami);
    }

    @Test
    void blockPublicAccessAndPublicQuota() {
        String ami = registeredImage(US_EAST_1, "Fedora-bpa");
        assertThat(ec2().getImageBlockPublicAccessState(r -> { }).join().imageBlockPublicAccessState())
                .isEqualTo("unblocked");
        ec2().enableImageBlockPublicAccess(r -> r.imageBlockPublicAccessState("block-new-sharing")).join();
        assertThat(ec2().getImageBlockPublicAccessState(r -> { }).join().imageBlockPublicAccessState())
                .isEqualTo("block-new-sharing");
        assertAwsError(() -> makePublic(US_EAST_1, ami), "OperationNotPermitted");
        ec2().disableImageBlockPublicAccess(r -> { }).join();
        aws.faults().publicAmiQuotaExceeded(US_EAST_1);
        assertAwsError(() -> makePublic(US_EAST_1, ami), "ResourceLimitExceeded");
        aws.faults().clear().blockPublicAccess(US_EAST_1, true);
        assertAwsError(() -> makePublic(US_EAST_1, ami), "OperationNotPermitted");
        aws.faults().clear();
        makePublic(US_EAST_1, ami);
        assertThat(aws.inspect().image(US_EAST_1, ami).orElseThrow().isPublic()).isTrue();
    }

    @Test
    void deprecationIsKeptAndShown() {
        String ami = registeredImage(US_EAST_1, "Fedora-old");
        Instant at = Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS);
        ec2().enableImageDeprecation(r -> r.imageId(ami).deprecateAt(at)).join();
        Image image = ec2().describeImages(r -> r.imageIds(ami)).join().images().get(0);
        assertThat(Instant.parse(image.deprecationTime())).isEqualTo(at.truncatedTo(ChronoUnit.MINUTES));
        assertThat(aws.inspect().image(US_EAST_1, ami).orElseThrow().deprecationTime())
                .isEqualTo(at.truncatedTo(ChronoUnit.MINUTES));
        assertAwsError(() -> ec2().enableImageDeprecation(r -> r.imageId(ami)
                .deprecateAt(Instant.now().minus(Duration.ofDays(2)))).join(), "InvalidParameterValue");
        ec2().disableImageDeprecation(r -> r.imageId(ami)).join();
        assertThat(ec2().describeImages(r -> r.imageIds(ami)).join().images().get(0).deprecationTime()).isNull();
    }

    @Test
    void copyImageAcrossRegionsIsIdempotentByClientToken() {
        String ami = registeredImage(US_EAST_1, "Fedora-copy");
        ec2().createTags(t -> t.resources(ami).tags(Tag.builder().key("fedimg:image-key").value("K").build())).join();
        String copy = ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copy")
                .clientToken("token-1").copyImageTags(true)).join().imageId();
        String again = ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copy")
                .clientToken("token-1").copyImageTags(true)).join().imageId();
        assertThat(again).isEqualTo(copy);
        assertAwsError(() -> ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami)
                .name("Fedora-other").clientToken("token-1")).join(), "IdempotentParameterMismatch");
        Image copied = ec2(EU_WEST_1).describeImages(r -> r.imageIds(copy)).join().images().get(0);
        assertThat(copied.stateAsString()).isEqualTo("available");
        assertThat(copied.bootModeAsString()).isEqualTo("uefi-preferred");
        assertThat(copied.sourceImageId()).isEqualTo(ami);
        assertThat(copied.tags()).extracting(Tag::key).contains("fedimg:image-key");
        String copySnap = copied.blockDeviceMappings().get(0).ebs().snapshotId();
        String srcSnap = aws.inspect().image(US_EAST_1, ami).orElseThrow().rootSnapshotId();
        assertThat(copySnap).isNotEqualTo(srcSnap);
        assertThat(aws.inspect().snapshotSha256(EU_WEST_1, copySnap))
                .isEqualTo(aws.inspect().snapshotSha256(US_EAST_1, srcSnap));
        assertThat(aws.inspect().callCount("CopyImage", EU_WEST_1)).isEqualTo(3);
        assertThat(aws.inspect().images(EU_WEST_1)).hasSize(1);
    }

    @Test
    void encryptedCopyCannotBePublic() {
        String ami = registeredImage(US_EAST_1, "Fedora-enc");
        String copy = ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-enc")
                .encrypted(true).kmsKeyId("arn:aws:kms:eu-west-1:123456789012:key/abc")).join().imageId();
        EbsBlockDevice root = ec2(EU_WEST_1).describeImages(r -> r.imageIds(copy)).join().images().get(0)
                .blockDeviceMappings().get(0).ebs();
        assertThat(root.encrypted()).isTrue();
        assertThat(root.kmsKeyId()).isEqualTo("arn:aws:kms:eu-west-1:123456789012:key/abc");
        assertAwsError(() -> makePublic(EU_WEST_1, copy), "InvalidParameterValue");
    }

    @Test
    void copyImageCanFailInOneRegion() {
        String ami = registeredImage(US_EAST_1, "Fedora-fail");
        aws.faults().failCopyImageInto("ap-south-1");
        String bad = ec2("ap-south-1").copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copied"))
                .join().imageId();
        String good = ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copied"))
                .join().imageId();
        Image failed = ec2("ap-south-1").describeImages(r -> r.imageIds(bad)).join().images().get(0);
        assertThat(failed.stateAsString()).isEqualTo("failed");
        assertThat(failed.stateReason().code()).isEqualTo("Server.InternalError");
        assertThat(ec2(EU_WEST_1).describeImages(r -> r.imageIds(good)).join().images().get(0).stateAsString())
                .isEqualTo("available");
    }

    @Test
    void imagesAndCopiesGoThroughPending() {
        aws.delays(Delays.builder().imageAvailable(Duration.ofMillis(700)).copyAvailable(Duration.ofMillis(1200))
                .build());
        String ami = registeredImage(US_EAST_1, "Fedora-slow");
        assertThat(state(US_EAST_1, ami)).isEqualTo("pending");
        assertAwsError(() -> ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copied"))
                .join(), "IncorrectState");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(US_EAST_1, ami).equals("available"));
        String copy = ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-copied"))
                .join().imageId();
        assertThat(state(EU_WEST_1, copy)).isEqualTo("pending");
        String copySnap = aws.inspect().image(EU_WEST_1, copy).orElseThrow().rootSnapshotId();
        assertThat(aws.inspect().snapshot(EU_WEST_1, copySnap).orElseThrow().state()).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(EU_WEST_1, copy).equals("available"));
        assertThat(aws.inspect().snapshot(EU_WEST_1, copySnap).orElseThrow().state()).isEqualTo("completed");
    }

    @Test
    void eventualConsistencyHidesNewImagesForAFewDescribes() {
        aws.delays(Delays.builder().eventualConsistencyNotFound(2).build());
        String ami = registeredImage(US_EAST_1, "Fedora-ec");
        assertAwsError(() -> ec2().describeImages(r -> r.imageIds(ami)).join(), "InvalidAMIID.NotFound");
        assertAwsError(() -> ec2().describeImages(r -> r.imageIds(ami)).join(), "InvalidAMIID.NotFound");
        assertThat(ec2().describeImages(r -> r.imageIds(ami)).join().images()).hasSize(1);
    }

    @Test
    void deregisterImageAndItsSnapshots() {
        String ami = registeredImage(US_EAST_1, "Fedora-gone");
        String snap = aws.inspect().image(US_EAST_1, ami).orElseThrow().rootSnapshotId();
        assertAwsError(() -> ec2().deleteSnapshot(r -> r.snapshotId(snap)).join(), "InvalidSnapshot.InUse");
        ec2().deregisterImage(r -> r.imageId(ami)).join();
        assertAwsError(() -> ec2().describeImages(r -> r.imageIds(ami)).join(), "InvalidAMIID.NotFound");
        ec2().deleteSnapshot(r -> r.snapshotId(snap)).join();
        assertThat(aws.inspect().liveResources().none()).isTrue();
    }

    static void makePublic(String region, String ami) {
        ec2(region).modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().group("all").build()))).join();
    }

    static String state(String region, String ami) {
        return ec2(region).describeImages(r -> r.imageIds(ami)).join().images().get(0).stateAsString();
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    static List<String> ids(List<Image> images) {
        return images.stream().map(Image::imageId).toList();
    }
}
