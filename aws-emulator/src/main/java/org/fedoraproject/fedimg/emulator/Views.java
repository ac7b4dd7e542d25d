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

    public record Image(String imageId, String region, String name, String description, String state,
            Instant creationDate, String architecture, String rootDeviceName, String virtualizationType,
            String kernelId, String ramdiskId, Boolean enaSupport, String sriovNetSupport, String bootMode,
            String imdsSupport, String tpmSupport, String uefiData, List<BlockDevice> blockDeviceMappings,
            Map<String, String> tags, Set<String> launchPermissionGroups, Set<String> launchPermissionUsers,
            boolean isPublic, Instant deprecationTime, String sourceImageId, String sourceRegion,
            Set<String> launchPermissionOrganizations, Set<String> launchPermissionOrganizationalUnits,
            String deregistrationProtection, Instant lastLaunchedTime) {

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
            String vpcId, Instant terminatedAt) {
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
     * What is still alive across all regions: pending/running instances, volumes, snapshots, AMIs, key pairs and
     * security groups (the default groups not counted). A test that cleans up after itself ends with {@link #none()}.
     */
    public record LiveResources(int pendingInstances, int runningInstances, int volumes, int snapshots, int images,
            int keyPairs, int securityGroups) {

        public int instances() {
            return pendingInstances + runningInstances;
        }

        public int total() {
            return instances() + volumes + snapshots + images + keyPairs + securityGroups;
        }

        public boolean none() {
            return total() == 0;
        }
    }
}
