package org.fedoraproject.fedimg.tester.support;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

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
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Does the uploader's part for tests: a snapshot and an AMI registered from it, tagged like the uploader
 * tags them, and the {@link AmiRegistered} event that announces it.
 */
public final class TestAmis implements AutoCloseable {

    public static final String REGION = "us-east-1";
    private final URI endpoint;
    private final Map<String, Ec2AsyncClient> clients = new ConcurrentHashMap<>();

    public TestAmis(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** An EC2 client of the emulator in the base region. */
    public Ec2AsyncClient ec2() {
        return ec2(REGION);
    }

    public Ec2AsyncClient ec2(String region) {
        return clients.computeIfAbsent(region, r -> client(endpoint, r));
    }

    static Ec2AsyncClient client(URI endpoint, String region) {
        return Ec2AsyncClient.builder().endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
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

    /** Registers an AMI for {@code image} with {@code volumeType} in the base region and returns its event. */
    public AmiRegistered register(ImageSpec image, String volumeType) {
        return register(image, volumeType, REGION);
    }

    public AmiRegistered register(ImageSpec image, String volumeType, String region) {
        Ec2AsyncClient ec2 = ec2(region);
        String vol = ec2.createVolume(b -> b.availabilityZone(region + "a").size(1)).join().volumeId();
        String snap = ec2.createSnapshot(b -> b.volumeId(vol)).join().snapshotId();
        ec2.deleteVolume(b -> b.volumeId(vol)).join();
        return register(image, volumeType, region, snap, image.ec2Architecture(), "uefi-preferred");
    }

    /**
     * Registers an AMI of an existing snapshot (e.g. a bootable test image the emulator imported) with the given
     * architecture and boot mode, which a test may choose wrong on purpose.
     */
    public AmiRegistered register(ImageSpec image, String volumeType, String region, String snap, String architecture,
            String bootMode) {
        Ec2AsyncClient ec2 = ec2(region);
        String compose = composeOf(image);
        String imageKey = ImageKeys.of(compose, image.fileName());
        AmiVariant variant = new AmiVariant("hvm", volumeType, false);
        String name = image.name() + "-" + variant.slug();
        Map<String, String> tags = AwsTags.forAmi(imageKey, compose, image, variant, "image");
        String amiId = ec2.registerImage(b -> b.name(name)
                .architecture(architecture)
                .virtualizationType("hvm")
                .rootDeviceName("/dev/sda1")
                .enaSupport(true)
                .bootMode(bootMode)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(EbsBlockDevice.builder().snapshotId(snap).volumeType(volumeType)
                                .deleteOnTermination(true).build()).build())
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.IMAGE)
                        .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                                .toList()).build()))
                .join().imageId();
        AmiRef ref = new AmiRef(region, amiId, name, snap, architecture, variant, null, List.of(), true);
        return new AmiRegistered(UUID.randomUUID().toString(), imageKey, compose, UUID.randomUUID().toString(),
                Instant.now(), image, ref);
    }

    public Map<String, String> amiTags(String amiId) {
        return ec2().describeImages(b -> b.imageIds(amiId)).join().images().get(0).tags().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value));
    }

    /** The instance as DescribeInstances shows it: what RunInstances was really given. */
    public Instance describe(String region, String instanceId) {
        return ec2(region).describeInstances(b -> b.instanceIds(instanceId)).join().reservations().get(0).instances()
                .get(0);
    }

    @Override
    public void close() {
        clients.values().forEach(Ec2AsyncClient::close);
    }
}
