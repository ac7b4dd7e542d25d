package org.fedoraproject.fedimg.emulator.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.IpPermission;

/**
 * The emulator's resources. Mutable, guarded by the engine's lock (snapshot block maps are concurrent so
 * EBS direct block uploads need no lock). States are derived from timestamps, see {@link Engine}.
 */
final class Model {

    private Model() {
    }

    /** Tags and eventual-consistency bookkeeping shared by every resource. */
    abstract static class Resource {
        final String id;
        final String region;
        final Instant created;
        final Map<String, String> tags = new LinkedHashMap<>();
        /** Describes left that must still answer NotFound (eventual consistency). */
        int hiddenDescribes;

        Resource(String id, String region, Instant created) {
            this.id = id;
            this.region = region;
            this.created = created;
        }
    }

    static final class AmiRec extends Resource {
        String name;
        String description;
        String architecture = "x86_64";
        String rootDeviceName;
        String virtualizationType = "hvm";
        String kernelId;
        String ramdiskId;
        Boolean enaSupport;
        String sriovNetSupport;
        String bootMode;
        String imdsSupport;
        String tpmSupport;
        String uefiData;
        List<String> billingProducts = new ArrayList<>();
        List<BlockDeviceMapping> blockDeviceMappings = new ArrayList<>();
        Duration availableAfter;
        /** CopyImage bookkeeping. */
        String sourceImageId;
        String sourceRegion;
        boolean failAfterDelay;
        boolean deregistrationProtection;
        Instant deprecationTime;
        final Set<String> launchGroups = new LinkedHashSet<>();
        final Set<String> launchUsers = new LinkedHashSet<>();
        /** Snapshots this AMI made itself (CopyImage): they are deleted with it only on request. */
        final List<String> ownSnapshots = new ArrayList<>();

        AmiRec(String id, String region, Instant created) {
            super(id, region, created);
        }

        boolean isPublic() {
            return launchGroups.contains("all");
        }
    }

    static final class SnapRec extends Resource {
        String ownerId;
        String description = "";
        String volumeId;
        int sizeGiB;
        boolean encrypted;
        String kmsKeyId;
        /** Block index -> block key in the {@link BlockStore}; only written (or non-zero) blocks. */
        final ConcurrentSkipListMap<Integer, String> blocks = new ConcurrentSkipListMap<>();
        /** Set once all content is in {@link #blocks}; completion delay counts from here. */
        volatile Instant dataReadyAt;
        volatile boolean error;
        Duration completeAfter = Duration.ZERO;
        /** EBS direct bookkeeping. */
        boolean ebsDirect;
        String parentSnapshotId;
        String clientToken;
        String clientTokenParams;
        int timeoutMinutes = 60;
        final ConcurrentSkipListMap<Integer, String> writtenBlocks = new ConcurrentSkipListMap<>();
        final Set<String> volumePermissionGroups = new LinkedHashSet<>();
        final Set<String> volumePermissionUsers = new LinkedHashSet<>();

        SnapRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    static final class VolRec extends Resource {
        String availabilityZone;
        int sizeGiB;
        String snapshotId;
        String volumeType = "gp2";
        Integer iops;
        Integer throughput;
        boolean encrypted;
        String kmsKeyId;
        Path file;
        boolean materialized;
        String attachedTo;
        String device;
        Instant attachTime;
        boolean deleteOnTermination;

        VolRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    static final class InstRec extends Resource {
        String imageId;
        String instanceType;
        String availabilityZone;
        String keyName;
        List<String> securityGroupIds = new ArrayList<>();
        String userData;
        String reservationId;
        String privateIp;
        String publicIp;
        String architecture;
        String subnetId;
        String vpcId;
        String rootDeviceName;
        String bootMode;
        String shutdownBehavior = "stop";
        software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest metadataOptions;
        String clientToken;
        String clientTokenParams;
        /** Device name -> volume id, root first. */
        final Map<String, String> devices = new LinkedHashMap<>();
        Instant terminatedAt;
        Instant stoppedAt;
        String stateReason;
        int amiLaunchIndex;
        UserDataRunner.Run run;

        InstRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    static final class KeyRec extends Resource {
        String name;
        String fingerprint;
        String keyType = "rsa";
        String publicKey;

        KeyRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    static final class SgRec extends Resource {
        String name;
        String description;
        String vpcId;
        boolean isDefault;
        final List<IpPermission> ingress = new ArrayList<>();
        final List<IpPermission> egress = new ArrayList<>();

        SgRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    static final class VpcRec extends Resource {
        final Cidr cidr;
        final boolean isDefault;
        /** The group every VPC gets at creation; instances launched without groups get it. */
        String defaultGroupId;

        VpcRec(String id, String region, Instant created, Cidr cidr, boolean isDefault) {
            super(id, region, created);
            this.cidr = cidr;
            this.isDefault = isDefault;
        }
    }

    static final class SubnetRec extends Resource {
        final String vpcId;
        final Cidr cidr;
        final String availabilityZone;
        final boolean defaultForAz;
        /** Default subnets give instances a public address, others do not (AWS's MapPublicIpOnLaunch). */
        final boolean mapPublicIpOnLaunch;

        SubnetRec(String id, String region, Instant created, String vpcId, Cidr cidr, String availabilityZone,
                boolean defaultForAz) {
            super(id, region, created);
            this.vpcId = vpcId;
            this.cidr = cidr;
            this.availabilityZone = availabilityZone;
            this.defaultForAz = defaultForAz;
            this.mapPublicIpOnLaunch = defaultForAz;
        }
    }

    /** An IPv4 CIDR block. */
    record Cidr(long base, int prefix) {

        static Cidr parse(String text) {
            var m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)").matcher(
                    text == null ? "" : text);
            if (!m.matches()) {
                return null;
            }
            long base = 0;
            for (int i = 1; i <= 4; i++) {
                int octet = Integer.parseInt(m.group(i));
                if (octet > 255) {
                    return null;
                }
                base = base << 8 | octet;
            }
            int prefix = Integer.parseInt(m.group(5));
            if (prefix > 32 || (base & ~mask(prefix)) != 0) {
                return null;
            }
            return new Cidr(base, prefix);
        }

        private static long mask(int prefix) {
            return prefix == 0 ? 0 : 0xffffffffL << (32 - prefix) & 0xffffffffL;
        }

        long size() {
            return 1L << (32 - prefix);
        }

        boolean contains(Cidr other) {
            return other.prefix >= prefix && (other.base & mask(prefix)) == base;
        }

        boolean overlaps(Cidr other) {
            return contains(other) || other.contains(this);
        }

        String address(long offset) {
            long a = base + offset;
            return (a >> 24 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 8 & 0xff) + "." + (a & 0xff);
        }

        @Override
        public String toString() {
            return address(0) + "/" + prefix;
        }
    }

    /** An idempotent call remembered by client token. */
    record Token(String paramsFingerprint, String resultId) {
    }
}
