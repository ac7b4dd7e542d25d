package org.fedoraproject.fedimg.tester.support;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageSpec;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Does the uploader's part for tests: a snapshot and an AMI registered from it, tagged like the uploader
 * tags them, and the {@link AmiRegistered} event that announces it.
 */
public final class TestAmis implements AutoCloseable {

    public static final String REGION = "us-east-1";
    private final Ec2AsyncClient ec2;

    public TestAmis(URI endpoint) {
        ec2 = Ec2AsyncClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
    }

    public Ec2AsyncClient ec2() {
        return ec2;
    }

    /** A fresh image of its own (unique compose), so tests never see each other's AMIs. */
    public static ImageSpec image(String arch) {
        String compose = "Fedora-42-" + UUID.randomUUID().toString().substring(0, 8) + ".0";
        String name = "Fedora-Cloud-Base-AmazonEC2-42-1.1." + arch + "-" + compose;
        return new ImageSpec("https://kojipkgs.fedoraproject.org/compose/" + compose + "/" + name + ".raw.xz",
                name + ".raw.xz", name, "ab".repeat(32), 512L * 1024 * 1024, arch, "42", "production", "Cloud",
                "Cloud_Base", 0);
    }

    public static String composeOf(ImageSpec image) {
        return image.url().split("/")[4];
    }

    /** Registers an AMI for {@code image} with {@code volumeType} and returns its event. */
    public AmiRegistered register(ImageSpec image, String volumeType) {
        String compose = composeOf(image);
        String imageKey = ImageKeys.of(compose, image.fileName());
        AmiVariant variant = new AmiVariant("hvm", volumeType, false);
        String vol = ec2.createVolume(b -> b.availabilityZone(REGION + "a").size(1)).join().volumeId();
        String snap = ec2.createSnapshot(b -> b.volumeId(vol)).join().snapshotId();
        ec2.deleteVolume(b -> b.volumeId(vol)).join();
        String name = image.name() + "-" + variant.slug();
        Map<String, String> tags = AwsTags.forAmi(imageKey, compose, image, variant, "image");
        String amiId = ec2.registerImage(b -> b.name(name)
                .architecture(image.ec2Architecture())
                .virtualizationType("hvm")
                .rootDeviceName("/dev/sda1")
                .enaSupport(true)
                .bootMode("uefi-preferred")
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(EbsBlockDevice.builder().snapshotId(snap).volumeType(volumeType)
                                .deleteOnTermination(true).build()).build())
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE)
                        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                                .toList()).build()))
                .join().imageId();
        AmiRef ref = new AmiRef(REGION, amiId, name, snap, image.ec2Architecture(), variant, null, List.of(), true);
        return new AmiRegistered(UUID.randomUUID().toString(), imageKey, compose, UUID.randomUUID().toString(),
                Instant.now(), image, ref);
    }

    public Map<String, String> amiTags(String amiId) {
        return ec2.describeImages(b -> b.imageIds(amiId)).join().images().get(0).tags().stream()
                .collect(java.util.stream.Collectors.toMap(Tag::key, Tag::value));
    }

    @Override
    public void close() {
        ec2.close();
    }
}
