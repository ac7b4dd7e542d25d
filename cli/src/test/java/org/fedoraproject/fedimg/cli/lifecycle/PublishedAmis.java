package org.fedoraproject.fedimg.cli.lifecycle;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** AMIs as the replicator leaves them once published: tagged, public with their snapshot, in one region. */
final class PublishedAmis {

    private final AwsClients aws;

    PublishedAmis(AwsClients aws) {
        this.aws = aws;
    }

    record Published(String region, String amiId, String snapshotId) {
    }

    Published publish(String region, String composeId, String composeType, String variant, Instant testedAt,
            boolean isPublic) {
        Ec2AsyncClient ec2 = aws.ec2(region);
        String name = "Fedora-Cloud-Base-AmazonEC2.x86_64-41-" + composeId + "-" + variant;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE);
        tags.put(AwsTags.IMAGE_KEY, composeId + "/" + name + ".raw.xz");
        tags.put(AwsTags.COMPOSE_ID, composeId);
        tags.put(AwsTags.COMPOSE_TYPE, composeType);
        tags.put(AwsTags.SHA256, "ab".repeat(32));
        tags.put(AwsTags.RELEASE, "41");
        tags.put(AwsTags.ARCH, "x86_64");
        tags.put(AwsTags.VARIANT, variant);
        tags.put(AwsTags.TEST_VERDICT, "passed");
        tags.put(AwsTags.TESTED_AT, testedAt.toString());
        tags.put(AwsTags.NAME, name);
        String volume = ec2.createVolume(b -> b.availabilityZone(region + "a").size(1).volumeType("gp3")).join().volumeId();
        String snap = ec2.createSnapshot(b -> b.volumeId(volume).tagSpecifications(spec(ResourceType.SNAPSHOT, tags)))
                .join().snapshotId();
        ec2.deleteVolume(b -> b.volumeId(volume)).join();
        String ami = ec2.registerImage(r -> r.name(name).architecture("x86_64").virtualizationType("hvm")
                .rootDeviceName("/dev/xvda").enaSupport(true)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
                        .ebs(e -> e.snapshotId(snap).volumeType("gp3").deleteOnTermination(true)).build())
                .tagSpecifications(spec(ResourceType.IMAGE, tags))).join().imageId();
        if (isPublic) {
            ec2.modifySnapshotAttribute(m -> m.snapshotId(snap).attribute("createVolumePermission")
                    .createVolumePermission(p -> p.add(v -> v.group("all")))).join();
            ec2.modifyImageAttribute(m -> m.imageId(ami).launchPermission(p -> p.add(v -> v.group("all")))).join();
        }
        return new Published(region, ami, snap);
    }

    static TagSpecification spec(ResourceType type, Map<String, String> tags) {
        List<Tag> t = tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        return TagSpecification.builder().resourceType(type).tags(t).build();
    }
}
