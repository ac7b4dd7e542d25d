package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;

class VolumesSnapshotsTagsTest extends EmulatorTest {

    @Test
    void volumeLifeCycle() {
        String ami = registeredImage(US_EAST_1, "Fedora-vol");
        String inst = ec2().runInstances(InstancesTest.run(ami, null).build()).join().instances().get(0).instanceId();
        String vol = ec2().createVolume(b -> b.availabilityZone("us-east-1a").size(4).volumeType("gp3")
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.VOLUME)
                        .tags(Tag.builder().key("fedimg:purpose").value("utility-volume").build()).build()))
                .join().volumeId();
        assertThat(describe(vol).stateAsString()).isEqualTo("available");
        assertThat(describe(vol).throughput()).isEqualTo(125);
        ec2().attachVolume(b -> b.volumeId(vol).instanceId(inst).device("/dev/sdf")).join();
        Volume attached = describe(vol);
        assertThat(attached.stateAsString()).isEqualTo("in-use");
        assertThat(attached.attachments().get(0).instanceId()).isEqualTo(inst);
        assertThat(attached.attachments().get(0).device()).isEqualTo("/dev/sdf");
        assertAwsError(() -> ec2().deleteVolume(b -> b.volumeId(vol)).join(), "VolumeInUse");
        assertAwsError(() -> ec2().attachVolume(b -> b.volumeId(vol).instanceId(inst).device("/dev/sdg")).join(),
                "IncorrectState");
        assertThat(ec2().describeVolumes(b -> b.filters(Filter.builder().name("attachment.instance-id").values(inst)
                .build())).join().volumes()).hasSize(2);
        ec2().detachVolume(b -> b.volumeId(vol)).join();
        assertThat(describe(vol).stateAsString()).isEqualTo("available");
        ec2().deleteVolume(b -> b.volumeId(vol)).join();
        assertAwsError(() -> ec2().describeVolumes(b -> b.volumeIds(vol)).join(), "InvalidVolume.NotFound");
        String other = ec2().createVolume(b -> b.availabilityZone("us-east-1b").size(1)).join().volumeId();
        assertAwsError(() -> ec2().attachVolume(b -> b.volumeId(other).instanceId(inst).device("/dev/sdh")).join(),
                "InvalidVolume.ZoneMismatch");
    }

    @Test
    void snapshotOfAVolumeCreatedFromASnapshotKeepsItsContent() {
        String source = sdk.uploadSnapshot(US_EAST_1, 1, Map.of(1, Sdk.block(1), 9, Sdk.block(9)), Map.of());
        String vol = ec2().createVolume(b -> b.availabilityZone("us-east-1a").snapshotId(source)).join().volumeId();
        assertThat(describe(vol).size()).isEqualTo(1);
        String snap = ec2().createSnapshot(b -> b.volumeId(vol).tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.SNAPSHOT).tags(Tag.builder().key("Name").value("copy").build()).build()))
                .join().snapshotId();
        assertThat(aws.inspect().snapshotSha256(US_EAST_1, snap))
                .isEqualTo(aws.inspect().snapshotSha256(US_EAST_1, source));
        assertThat(ec2().describeSnapshots(b -> b.filters(Filter.builder().name("tag:Name").values("copy").build()))
                .join().snapshots()).singleElement().satisfies(s -> assertThat(s.volumeId()).isEqualTo(vol));
    }

    @Test
    void snapshotAttributeBothForms() {
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, Map.of(0, Sdk.block(0)), Map.of());
        ec2().modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                .createVolumePermission(p -> p.add(CreateVolumePermission.builder().group("all").build()))).join();
        assertThat(ec2().describeSnapshotAttribute(b -> b.snapshotId(snap)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions())
                .extracting(CreateVolumePermission::groupAsString).containsExactly("all");
        ec2().modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                .operationType("remove").groupNames("all")).join();
        ec2().modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                .operationType("add").userIds("111122223333")).join();
        assertThat(ec2().describeSnapshotAttribute(b -> b.snapshotId(snap)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions())
                .extracting(CreateVolumePermission::userId).containsExactly("111122223333");
        assertThat(aws.inspect().snapshot(US_EAST_1, snap).orElseThrow().createVolumePermissionUsers())
                .containsExactly("111122223333");
        assertThat(ec2().describeSnapshots(b -> b.restorableByUserIds("111122223333")).join().snapshots()).hasSize(1);
        ec2().deleteSnapshot(b -> b.snapshotId(snap)).join();
        assertAwsError(() -> ec2().describeSnapshots(b -> b.snapshotIds(snap)).join(), "InvalidSnapshot.NotFound");
    }

    @Test
    void tagsAreFoundByDescribeTagsAndFilters() {
        String a = registeredImage(US_EAST_1, "Fedora-tags");
        String snap = aws.inspect().image(US_EAST_1, a).orElseThrow().rootSnapshotId();
        ec2().createTags(b -> b.resources(a, snap).tags(Tag.builder().key("fedimg:image-key").value("F41-x86").build(),
                Tag.builder().key("Name").value("Fedora 41").build())).join();
        assertThat(ec2().describeTags(b -> b.filters(Filter.builder().name("resource-id").values(a).build())).join()
                .tags()).extracting(TagDescription::key).containsExactly("fedimg:image-key", "Name");
        assertThat(ec2().describeTags(b -> b.filters(Filter.builder().name("key").values("fedimg:image-key").build(),
                Filter.builder().name("resource-type").values("snapshot").build())).join().tags())
                .extracting(TagDescription::resourceId).containsExactly(snap);
        ec2().deleteTags(b -> b.resources(a).tags(Tag.builder().key("Name").build())).join();
        assertThat(aws.inspect().image(US_EAST_1, a).orElseThrow().tags()).containsOnlyKeys("fedimg:image-key");
        assertAwsError(() -> ec2().createTags(b -> b.resources("ami-0123456789abcdef0")
                .tags(Tag.builder().key("k").value("v").build())).join(), "InvalidAMIID.NotFound");
        assertAwsError(() -> ec2().createTags(b -> b.resources(a).tags(Tag.builder().key("aws:x").value("v").build()))
                .join(), "InvalidParameterValue");
    }

    static Volume describe(String vol) {
        return ec2().describeVolumes(b -> b.volumeIds(vol)).join().volumes().get(0);
    }
}
