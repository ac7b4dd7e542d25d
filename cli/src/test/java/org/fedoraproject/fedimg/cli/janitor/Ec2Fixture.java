package org.fedoraproject.fedimg.cli.janitor;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;

import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Creates resources through the real SDK, as fedimg (tagged) or as someone else (untagged). */
final class Ec2Fixture implements AutoCloseable {

    final AwsClients clients;

    Ec2Fixture(URI endpoint) {
        clients = new AwsClients(AwsConfig.of("us-east-1", endpoint), new ExecutionInterceptor() { });
    }

    Ec2AsyncClient ec2(String region) {
        return clients.ec2(region);
    }

    static Map<String, String> fedimg(String imageKey, String purpose, String... extra) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE);
        t.put(AwsTags.IMAGE_KEY, imageKey);
        t.put(AwsTags.PURPOSE, purpose);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            t.put(extra[i], extra[i + 1]);
        }
        return t;
    }

    static TagSpecification spec(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type)
                .tags(tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
                .build();
    }

    String volume(String region, Map<String, String> tags) {
        var b = software.amazon.awssdk.services.ec2.model.CreateVolumeRequest.builder()
                .availabilityZone(region + "a").size(1).volumeType("gp3");
        if (!tags.isEmpty()) {
            b.tagSpecifications(spec(ResourceType.VOLUME, tags));
        }
        return ec2(region).createVolume(b.build()).join().volumeId();
    }

    String snapshot(String region, Map<String, String> tags) {
        String volume = volume(region, Map.of());
        var b = software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest.builder().volumeId(volume);
        if (!tags.isEmpty()) {
            b.tagSpecifications(spec(ResourceType.SNAPSHOT, tags));
        }
        String id = ec2(region).createSnapshot(b.build()).join().snapshotId();
        ec2(region).deleteVolume(d -> d.volumeId(volume)).join();
        return id;
    }

    String ami(String region, String name, String snapshotId, Map<String, String> tags) {
        String id = ec2(region).registerImage(r -> r.name(name).architecture("x86_64").virtualizationType("hvm")
                .rootDeviceName("/dev/xvda").enaSupport(true)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
                        .ebs(e -> e.snapshotId(snapshotId).volumeType("gp3").deleteOnTermination(true)).build()))
                .join().imageId();
        if (!tags.isEmpty()) {
            tag(region, id, tags);
        }
        return id;
    }

    void tag(String region, String id, Map<String, String> tags) {
        ec2(region).createTags(c -> c.resources(id).tags(tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())).join();
    }

    void makePublic(String region, String amiId, String snapshotId) {
        ec2(region).modifySnapshotAttribute(m -> m.snapshotId(snapshotId).attribute("createVolumePermission")
                .createVolumePermission(p -> p.add(v -> v.group("all")))).join();
        ec2(region).modifyImageAttribute(m -> m.imageId(amiId).launchPermission(p -> p.add(v -> v.group("all")))).join();
    }

    String instance(String region, String amiId, String keyName, List<String> groupIds, Map<String, String> tags) {
        var b = software.amazon.awssdk.services.ec2.model.RunInstancesRequest.builder()
                .imageId(amiId).instanceType("t3.small").minCount(1).maxCount(1);
        if (keyName != null) {
            b.keyName(keyName);
        }
        if (!groupIds.isEmpty()) {
            b.securityGroupIds(groupIds);
        }
        if (!tags.isEmpty()) {
            b.tagSpecifications(spec(ResourceType.INSTANCE, tags));
        }
        return ec2(region).runInstances(b.build()).join().instances().get(0).instanceId();
    }

    String keyPair(String region, String name, Map<String, String> tags) {
        var b = software.amazon.awssdk.services.ec2.model.CreateKeyPairRequest.builder().keyName(name);
        if (!tags.isEmpty()) {
            b.tagSpecifications(spec(ResourceType.KEY_PAIR, tags));
        }
        return ec2(region).createKeyPair(b.build()).join().keyPairId();
    }

    String securityGroup(String region, String name, Map<String, String> tags) {
        var b = software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest.builder()
                .groupName(name).description("janitor test " + name);
        if (!tags.isEmpty()) {
            b.tagSpecifications(spec(ResourceType.SECURITY_GROUP, tags));
        }
        return ec2(region).createSecurityGroup(b.build()).join().groupId();
    }

    Instance describeInstance(String region, String id) {
        return ec2(region).describeInstances(d -> d.instanceIds(id)).join().reservations().get(0).instances().get(0);
    }

    /** Every live resource id of the account in the region: what must and must not disappear. */
    Set<String> liveIds(String region) {
        Set<String> ids = new TreeSet<>();
        Ec2AsyncClient ec2 = ec2(region);
        ec2.describeInstances(b -> { }).join().reservations().forEach(r -> r.instances().stream()
                .filter(i -> !"terminated".equals(i.state().nameAsString())).forEach(i -> ids.add(i.instanceId())));
        ec2.describeVolumes(b -> { }).join().volumes().forEach(v -> ids.add(v.volumeId()));
        ec2.describeImages(b -> b.owners("self")).join().images().forEach(i -> ids.add(i.imageId()));
        ec2.describeSnapshots(b -> b.ownerIds("self")).join().snapshots().forEach(s -> ids.add(s.snapshotId()));
        ec2.describeKeyPairs(b -> { }).join().keyPairs().forEach(k -> ids.add(k.keyPairId()));
        ec2.describeSecurityGroups(b -> { }).join().securityGroups().forEach(g -> ids.add(g.groupId()));
        return ids;
    }

    @Override
    public void close() {
        clients.close();
    }
}
