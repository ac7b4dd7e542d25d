package org.fedoraproject.fedimg.emulator.state;

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

import org.fedoraproject.fedimg.emulator.ec2.InstanceRun;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.IpPermission;

/**
 * The emulator's resources. Mutable, guarded by the engine's lock (snapshot block maps are concurrent so
 * EBS direct block uploads need no lock). States are derived from timestamps, see {@link LifeCycles}.
 * Public (fields included) only so the {@code ec2}, {@code ebs} and {@code http} packages can share it; it is
 * not part of the emulator's API.
 */
public final class Model {

    private Model() {
    }

    /** Tags and eventual-consistency bookkeeping shared by every resource. */
    public abstract static class Resource {
        public final String id;
        public final String region;
        public final Instant created;
        public final Map<String, String> tags = new LinkedHashMap<>();
        /** Describes left that must still answer NotFound (eventual consistency). */
        public int hiddenDescribes;

        public Resource(String id, String region, Instant created) {
            this.id = id;
            this.region = region;
            this.created = created;
        }
    }

    public static final class AmiRec extends Resource {
        public String name;
        public String description;
        public String architecture = "x86_64";
        public String rootDeviceName;
        public String virtualizationType = "hvm";
        public String kernelId;
        public String ramdiskId;
        public Boolean enaSupport;
        public String sriovNetSupport;
        public String bootMode;
        public String imdsSupport;
        public String tpmSupport;
        public String uefiData;
        public List<String> billingProducts = new ArrayList<>();
        public List<BlockDeviceMapping> blockDeviceMappings = new ArrayList<>();
        public Duration availableAfter;
        /** CopyImage bookkeeping. */
        public String sourceImageId;
        public String sourceRegion;
        public boolean failAfterDelay;
        /** DisableImage: state {@code disabled} until EnableImage. */
        public boolean disabled;
        /** Deregistration protection: on, with or without the 24-hour cooldown, and when a cooldown ends. */
        public boolean deregistrationProtected;
        public boolean protectionCooldown;
        public Instant protectedUntil;
        public Instant deprecationTime;
        /** Set by RunInstances (AWS updates it within 24 hours; the emulator at once). */
        public Instant lastLaunchedTime;
        public final Set<String> launchGroups = new LinkedHashSet<>();
        public final Set<String> launchUsers = new LinkedHashSet<>();
        public final Set<String> launchOrganizations = new LinkedHashSet<>();
        public final Set<String> launchOrganizationalUnits = new LinkedHashSet<>();
        /** Snapshots this AMI made itself (CopyImage): they are deleted with it only on request. */
        public final List<String> ownSnapshots = new ArrayList<>();
        /** An instance-store AMI's {@code bucket/prefix/name.manifest.xml}. */
        public String imageLocation;
        /** An instance-store AMI's root image, reassembled from its bundle; null for EBS. */
        public ImageContent instanceStoreRoot;
        /** An instance-store AMI's bundle in its bucket: the manifest's key, then the parts' for CopyImage. */
        public final List<String> bundleObjects = new ArrayList<>();

        public AmiRec(String id, String region, Instant created) {
            super(id, region, created);
        }

        public boolean isPublic() {
            return launchGroups.contains("all");
        }

        /** The entities it is shared with, for the AMI sharing quota: accounts, organizations and OUs. */
        public int sharedEntities() {
            return launchUsers.size() + launchOrganizations.size() + launchOrganizationalUnits.size();
        }

        /** {@code ebs}, or {@code instance-store} for an AMI registered from a bundle's manifest. */
        public String rootDeviceType() {
            return instanceStoreRoot != null ? "instance-store" : "ebs";
        }
    }

    /**
     * An instance-store AMI's image: blocks in the {@link org.fedoraproject.fedimg.emulator.ebs.BlockStore}, as a
     * snapshot's, and the image's exact size. Filled in the background after RegisterImage; ready, or failed
     * with the reason the bundle was refused.
     */
    public static final class ImageContent {
        public final long sizeBytes;
        public final ConcurrentSkipListMap<Integer, String> blocks = new ConcurrentSkipListMap<>();
        public volatile Instant readyAt;
        public volatile String failure;

        public ImageContent(long sizeBytes) {
            this.sizeBytes = sizeBytes;
        }
    }

    public static final class SnapRec extends Resource {
        public String ownerId;
        public String description = "";
        public String volumeId;
        public int sizeGiB;
        public boolean encrypted;
        public String kmsKeyId;
        /** Block index -> block key in the {@link org.fedoraproject.fedimg.emulator.ebs.BlockStore}; only written (or non-zero) blocks. */
        public final ConcurrentSkipListMap<Integer, String> blocks = new ConcurrentSkipListMap<>();
        /** Set once all content is in {@link #blocks}; completion delay counts from here. */
        public volatile Instant dataReadyAt;
        public volatile boolean error;
        public Duration completeAfter = Duration.ZERO;
        /** EBS direct bookkeeping. */
        public boolean ebsDirect;
        public String parentSnapshotId;
        public String clientToken;
        public String clientTokenParams;
        public int timeoutMinutes = 60;
        public final ConcurrentSkipListMap<Integer, String> writtenBlocks = new ConcurrentSkipListMap<>();
        public final Set<String> volumePermissionGroups = new LinkedHashSet<>();
        public final Set<String> volumePermissionUsers = new LinkedHashSet<>();

        public SnapRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    public static final class VolRec extends Resource {
        public String availabilityZone;
        public int sizeGiB;
        public String snapshotId;
        public String volumeType = "gp2";
        public Integer iops;
        public Integer throughput;
        public boolean encrypted;
        public String kmsKeyId;
        public Path file;
        public boolean materialized;
        public String attachedTo;
        public String device;
        public Instant attachTime;
        public boolean deleteOnTermination;

        public VolRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    public static final class InstRec extends Resource {
        public String imageId;
        public String instanceType;
        public String availabilityZone;
        public String keyName;
        public List<String> securityGroupIds = new ArrayList<>();
        public String userData;
        public String reservationId;
        public String privateIp;
        public String publicIp;
        public String architecture;
        public String virtualizationType = "hvm";
        public String subnetId;
        public String vpcId;
        public String rootDeviceName;
        public String bootMode;
        public String shutdownBehavior = "stop";
        public software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest metadataOptions;
        public String clientToken;
        public String clientTokenParams;
        /** Device name -> volume id, root first. */
        public final Map<String, String> devices = new LinkedHashMap<>();
        public Instant terminatedAt;
        public Instant stoppedAt;
        public String stateReason;
        public int amiLaunchIndex;
        public InstanceRun run;
        /** Booted by the qemu backend: pending until its virtual machine has started. */
        public boolean vm;
        /** The image an instance-store root boots (its AMI's content); null for an EBS root. */
        public ImageContent instanceStoreRoot;

        public String rootDeviceType() {
            return instanceStoreRoot != null ? "instance-store" : "ebs";
        }

        public InstRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    public static final class KeyRec extends Resource {
        public String name;
        public String fingerprint;
        public String keyType = "rsa";
        public String publicKey;

        public KeyRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    public static final class SgRec extends Resource {
        public String name;
        public String description;
        public String vpcId;
        public boolean isDefault;
        public final List<IpPermission> ingress = new ArrayList<>();
        public final List<IpPermission> egress = new ArrayList<>();

        public SgRec(String id, String region, Instant created) {
            super(id, region, created);
        }
    }

    public static final class VpcRec extends Resource {
        public final Cidr cidr;
        public final boolean isDefault;
        /** The group every VPC gets at creation; instances launched without groups get it. */
        public String defaultGroupId;

        public VpcRec(String id, String region, Instant created, Cidr cidr, boolean isDefault) {
            super(id, region, created);
            this.cidr = cidr;
            this.isDefault = isDefault;
        }
    }

    public static final class SubnetRec extends Resource {
        public final String vpcId;
        public final Cidr cidr;
        public final String availabilityZone;
        public final boolean defaultForAz;
        /** Default subnets give instances a public address, others do not (AWS's MapPublicIpOnLaunch). */
        public final boolean mapPublicIpOnLaunch;

        public SubnetRec(String id, String region, Instant created, String vpcId, Cidr cidr, String availabilityZone,
                boolean defaultForAz) {
            super(id, region, created);
            this.vpcId = vpcId;
            this.cidr = cidr;
            this.availabilityZone = availabilityZone;
            this.defaultForAz = defaultForAz;
            this.mapPublicIpOnLaunch = defaultForAz;
        }
    }

    /** An idempotent call remembered by client token. */
    public record Token(String paramsFingerprint, String resultId) {
    }
}
