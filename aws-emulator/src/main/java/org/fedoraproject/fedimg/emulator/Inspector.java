package org.fedoraproject.fedimg.emulator;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.state.Engine;

/**
 * Looks inside the emulator for assertions: every resource per region (ids, names, states, tags, permissions,
 * block device mappings, deprecation), a snapshot's content checksum, what is still alive and how often each
 * call was made.
 */
public final class Inspector {

    private final Engine engine;
    private final ViewBuilder views;

    Inspector(Engine engine) {
        this.engine = engine;
        this.views = new ViewBuilder(engine);
    }

    public List<Views.Image> images(String region) {
        return views.images(region);
    }

    public Optional<Views.Image> image(String region, String imageId) {
        return images(region).stream().filter(i -> i.imageId().equals(imageId)).findFirst();
    }

    public List<Views.Snapshot> snapshots(String region) {
        return views.snapshots(region);
    }

    public Optional<Views.Snapshot> snapshot(String region, String snapshotId) {
        return snapshots(region).stream().filter(s -> s.snapshotId().equals(snapshotId)).findFirst();
    }

    public List<Views.Instance> instances(String region) {
        return views.instances(region);
    }

    public Optional<Views.Instance> instance(String region, String instanceId) {
        return instances(region).stream().filter(i -> i.instanceId().equals(instanceId)).findFirst();
    }

    public List<Views.Volume> volumes(String region) {
        return views.volumes(region);
    }

    public List<Views.KeyPair> keyPairs(String region) {
        return views.keyPairs(region);
    }

    public List<Views.SecurityGroup> securityGroups(String region) {
        return views.securityGroups(region);
    }

    /**
     * SHA-256 (lowercase hex) of the snapshot's full logical bytes, zeros included ({@code VolumeSize} GiB),
     * computed by streaming the blocks: compare with {@code sha256sum} of the raw image padded with zeros.
     */
    public String snapshotSha256(String region, String snapshotId) {
        return views.snapshotSha256(region, snapshotId)
                .orElseThrow(() -> new NoSuchElementException("no snapshot " + snapshotId + " in " + region));
    }

    /** Each AMI quota in the region: the value in force and how much of it is used. */
    public List<Views.QuotaUse> quotas(String region) {
        return views.quotas(region);
    }

    /** Live instances, volumes, snapshots, AMIs, key pairs and (non-default) security groups in all regions. */
    public Views.LiveResources liveResources() {
        return views.live();
    }

    /** How many times an EC2 action or EBS direct operation was called, in all regions (failed calls included). */
    public long callCount(String action) {
        return engine.callCount(action);
    }

    /** Every action called so far with its count, all regions together. */
    public java.util.SortedMap<String, Long> callCounts() {
        return engine.callCounts();
    }

    public long callCount(String action, String region) {
        return engine.callCount(action, region);
    }
}
