package org.fedoraproject.fedimg.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Read-only views of the emulator's resources, as {@link Inspector} returns them. */
public final class Views {

    private Views() {
    }

    public record BlockDevice(String deviceName, String snapshotId, Integer volumeSize, String volumeType,
            Boolean encrypted, String kmsKeyId, Boolean deleteOnTermination) {
    }

    /**
     * An AMI; {@code rootDeviceType} is {@code ebs} or {@code instance-store} (then {@code imageLocation} is its
     * manifest, {@code bucket/prefix/name.manifest.xml}); {@code stateReason} says why a failed one failed.
     */
    public record Image(String imageId, String region, String name, String description, String state,
            Instant creationDate, String architecture, String rootDeviceName, String virtualizationType,
            String kernelId, String ramdiskId, Boolean enaSupport, String sriovNetSupport, String bootMode,
            String imdsSupport, String tpmSupport, String uefiData, List<BlockDevice> blockDeviceMappings,
            Map<String, String> tags, Set<String> launchPermissionGroups, Set<String> launchPermissionUsers,
            boolean isPublic, Instant deprecationTime, String sourceImageId, String sourceRegion,
            Set<String> launchPermissionOrganizations, Set<String> launchPermissionOrganizationalUnits,
            String deregistrationProtection, Instant lastLaunchedTime, String rootDeviceType, String imageLocation,
            String stateReason) {

        /** The snapshot behind the root device, if any. */
        public String rootSnapshotId() {
            return blockDeviceMappings.stream().filter(b -> b.deviceName().equals(rootDeviceName))
                    .map(BlockDevice::snapshotId).findFirst().orElse(null);
        }
    }

    /**
     * A quota in one region: the value in force and how much of it is used (for AMI sharing, a quota per AMI, the
     * most entities one AMI there is shared with).
     */
    public record QuotaUse(String quota, String code, String name, long value, long used) {
    }

    public record Snapshot(String snapshotId, String region, String state, String progress, int volumeSizeGiB,
            String description, String volumeId, boolean encrypted, String kmsKeyId, Map<String, String> tags,
            Set<String> createVolumePermissionGroups, Set<String> createVolumePermissionUsers, boolean ebsDirect,
            int storedBlocks, Instant startTime) {
    }

    public record Instance(String instanceId, String region, String state, String statusCheck, String imageId,
            String instanceType, String availabilityZone, String keyName, List<String> securityGroupIds,
            Map<String, String> tags, String privateIp, String publicIp, Map<String, String> devices,
            String userData, String consoleOutput, boolean userDataFinished, Instant launchTime, String subnetId,
            String vpcId, Instant terminatedAt, String rootDeviceType) {
    }

    public record Volume(String volumeId, String region, String state, int sizeGiB, String snapshotId,
            String availabilityZone, String volumeType, boolean encrypted, String attachedTo, String device,
            boolean deleteOnTermination, Map<String, String> tags) {
    }

    public record KeyPair(String keyPairId, String region, String name, String keyType, String fingerprint,
            Map<String, String> tags) {
    }

    public record SecurityGroup(String groupId, String region, String name, String description, boolean isDefault,
            List<String> ingress, Map<String, String> tags) {
    }

    /**
     * An S3 bucket: its region, object ownership (BucketOwnerEnforced means ACLs are off), ACL, tags, and how
     * many objects, bytes and unfinished multipart uploads it holds.
     */
    public record Bucket(String name, String region, Instant created, String objectOwnership, String acl,
            Map<String, String> tags, int objects, long bytes, int multipartUploads) {
    }

    /**
     * An S3 object: its ACL (the canned name, e.g. {@code aws-exec-read}, or the grants), its tags, and its
     * checksum ({@code SHA1}, ...; null when it was uploaded without one) with the number of parts when it was
     * uploaded in parts.
     */
    public record S3Object(String bucket, String key, long size, String etag, Instant lastModified, String acl,
            Map<String, String> tags, String checksumAlgorithm, String checksum, int parts) {
    }

    /**
     * What is still alive across all regions: pending/running instances, volumes, snapshots, AMIs, key pairs and
     * security groups (the default groups not counted), S3 buckets, objects and unfinished multipart uploads. A
     * test that cleans up after itself ends with {@link #none()}.
     */
    public record LiveResources(int pendingInstances, int runningInstances, int volumes, int snapshots, int images,
            int keyPairs, int securityGroups, long buckets, long objects, long multipartUploads) {

        public int instances() {
            return pendingInstances + runningInstances;
        }

        public long total() {
            return instances() + volumes + snapshots + images + keyPairs + securityGroups + buckets + objects
                    + multipartUploads;
        }

        public boolean none() {
            return total() == 0;
        }
    }
}
