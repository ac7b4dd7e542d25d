package org.fedoraproject.fedimg.emulator;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.ec2.BundleCertificates;
import org.fedoraproject.fedimg.emulator.state.Engine;

/**
 * Looks inside the emulator for assertions: every resource per region (ids, names, states, tags, permissions,
 * block device mappings, deprecation), S3's buckets and objects, content checksums (snapshots, instance-store
 * images, instances' root disks), what is still alive, how often each call was made, and the EC2 certificate
 * instance-store bundles must be made for.
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

    /** The indexes of a snapshot's stored (non-zero) 512 KiB blocks, in order. */
    public List<Integer> snapshotBlocks(String region, String snapshotId) {
        synchronized (engine) {
            return List.copyOf(snapRec(region, snapshotId).blocks.keySet());
        }
    }

    /**
     * Damages a snapshot as storage could: the block at {@code blockIndex} gets other bytes (every byte inverted;
     * an absent block becomes all 0xFF), or with {@code lose} it is gone (reads as zeros). For tests that a broken
     * image is caught: the snapshot's checksum no longer matches and a VM booting it sees the damage.
     */
    public void corruptSnapshotBlock(String region, String snapshotId, int blockIndex, boolean lose) {
        synchronized (engine) {
            var snap = snapRec(region, snapshotId);
            if (lose) {
                snap.blocks.remove(blockIndex);
                return;
            }
            byte[] buf = new byte[org.fedoraproject.fedimg.emulator.ebs.BlockStore.BLOCK_SIZE];
            engine.store().read(snap.blocks.getOrDefault(blockIndex,
                    org.fedoraproject.fedimg.emulator.ebs.BlockStore.ZERO), buf);
            for (int i = 0; i < buf.length; i++) {
                buf[i] = (byte) ~buf[i];
            }
            snap.blocks.put(blockIndex, engine.store().put(buf,
                    org.fedoraproject.fedimg.emulator.ebs.BlockStore.sha256(buf, buf.length)));
        }
    }

    private org.fedoraproject.fedimg.emulator.state.Model.SnapRec snapRec(String region, String snapshotId) {
        var snap = engine.region(region).snapshots.get(snapshotId);
        if (snap == null) {
            throw new NoSuchElementException("no snapshot " + snapshotId + " in " + region);
        }
        return snap;
    }

    /** Each AMI quota in the region: the value in force and how much of it is used. */
    public List<Views.QuotaUse> quotas(String region) {
        return views.quotas(region);
    }

    /**
     * SHA-256 (lowercase hex) of an instance-store AMI's image as EC2 reassembled it from its bundle (its exact
     * size): compare with {@code sha256sum} of the raw image. Throws while the image is still pending or when its
     * bundle was refused.
     */
    public String imageSha256(String region, String imageId) {
        return views.imageSha256(region, imageId)
                .orElseThrow(() -> new NoSuchElementException("no instance-store image " + imageId + " in " + region));
    }

    /**
     * SHA-256 (lowercase hex) of an instance's root disk as a backend boots it: an EBS root volume's full
     * {@code VolumeSize}, or an instance-store root's image.
     */
    public String instanceRootSha256(String region, String instanceId) {
        return views.instanceRootSha256(region, instanceId)
                .orElseThrow(() -> new NoSuchElementException("no instance " + instanceId + " in " + region));
    }

    /** Every S3 bucket, in every region. */
    public List<Views.Bucket> buckets() {
        return engine.s3().bucketViews();
    }

    public Optional<Views.Bucket> bucket(String name) {
        return buckets().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** A bucket's objects in key order. */
    public List<Views.S3Object> objects(String bucket) {
        return engine.s3().objectViews(bucket);
    }

    /**
     * The emulator's "EC2 service" certificate ({@code cert-ec2.pem} of the AMI tools): instance-store bundles seal
     * their key for it. Made on first use; the same for the emulator's life.
     */
    public X509Certificate ec2Certificate() {
        return engine.bundleCertificates().ec2Certificate();
    }

    public String ec2CertificatePem() {
        return BundleCertificates.pem(ec2Certificate());
    }

    /** The account's registered signing certificates (see {@link AwsEmulator#registerSigningCertificate}). */
    public List<X509Certificate> signingCertificates() {
        return engine.bundleCertificates().signingCertificates();
    }

    /**
     * Live instances, volumes, snapshots, AMIs, key pairs and (non-default) security groups in all regions, and
     * S3's buckets, objects and unfinished multipart uploads.
     */
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

    /** Calls per access key and operation (EC2 and EBS direct; S3 under "anonymous"): which process made what. */
    public java.util.SortedMap<String, java.util.SortedMap<String, Long>> callsByAccessKey() {
        return engine.faults().signals().callsByAccessKey();
    }

    public long callCount(String action, String region) {
        return engine.callCount(action, region);
    }
}
