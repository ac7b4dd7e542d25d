package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/**
 * RunInstances in three steps: {@link #validate} the request against its AMI, the instance types, the key
 * pairs and the security groups; {@link #place} the instances in a subnet, and so a zone and a VPC, that their
 * groups belong to; {@link #create} them, each with the lowest free address of the subnet and the volumes of
 * its block device mappings, and schedule their boots ({@link InstanceRuntime}). A ClientToken seen before
 * answers with the first call's reservation.
 */
final class RunInstances extends ResourceHandlers {

    /** AWS's limit of instances per call (the emulator has no other quota). */
    private static final int MAX_PER_CALL = 20;
    /** RunInstances' limit on UserData, base64 included (16 KiB raw). */
    private static final int MAX_USER_DATA_BASE64 = 25600;

    /** A request that passed validation: the AMI, the type and how many, its security groups as ids. */
    private record Launch(RunInstancesRequest req, Model.AmiRec ami, String typeName, int count, List<String> groups) {
    }

    /** Where the instances go: the subnet (its zone, its VPC) and their groups (the VPC's default one if none). */
    private record Placement(Model.SubnetRec subnet, String zone, List<String> groups) {
    }

    private final Instances instances;

    RunInstances(Engine engine, Instances instances) {
        super(engine);
        this.instances = instances;
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("RunInstances", this::runInstances);
    }

    private RunInstancesResponse runInstances(RegionState region, Map<String, String> form) {
        RunInstancesRequest req = QueryBinder.bind(form, RunInstancesRequest.builder());
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Requests.replayed(region, "RunInstances", req.clientToken(), fingerprint);
        if (earlier != null) {
            return RunInstancesResponse.builder().reservationId(earlier).ownerId(engine.accountId())
                    .instances(reservation(region, earlier)).build();
        }
        Launch launch = validate(region, req);
        Placement placement = place(region, req, launch.groups());
        String reservation = create(region, launch, placement);
        Requests.remember(region, "RunInstances", req.clientToken(), fingerprint, reservation);
        return RunInstancesResponse.builder().reservationId(reservation).ownerId(engine.accountId())
                .groups(placement.groups().stream().map(g -> Instances.groupIdentifier(region, g)).toList())
                .instances(reservation(region, reservation)).build();
    }

    private List<Instance> reservation(RegionState region, String reservationId) {
        return region.instances.values().stream().filter(i -> reservationId.equals(i.reservationId))
                .map(instances::toInstance).toList();
    }

    // ---- validate ----

    /** The AMI (available), the type (same architecture, a boot mode the AMI has), counts, key pair and groups. */
    private Launch validate(RegionState region, RunInstancesRequest req) {
        String imageId = require(req.imageId(), "ImageId");
        Model.AmiRec ami = region.images.get(imageId);
        if (ami == null) {
            throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + imageId + "]' does not exist");
        }
        if (!"available".equals(life.imageState(ami))) {
            throw new Ec2Exception("InvalidAMIID.Unavailable", "The image id '[" + imageId + "]' is not available");
        }
        String typeName = req.instanceTypeAsString() == null ? "m1.small" : req.instanceTypeAsString();
        InstanceTypes.Type type = InstanceTypes.ALL.get(typeName);
        if (type == null) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + typeName + "' for InstanceType.");
        }
        if (!type.arch().equals(ami.architecture)) {
            throw Ec2Exception.invalidParameterValue("The architecture '" + type.arch() + "' of the specified instance "
                    + "type does not match the architecture '" + ami.architecture + "' of the specified AMI. Specify an "
                    + "instance type and an AMI that have matching architectures, and try again.");
        }
        InstanceTypes.checkLaunchable(type, ami.id, ami.instanceStoreRoot != null, ami.virtualizationType,
                region.name);
        checkInstanceStoreLaunch(ami, req);
        if ("uefi".equals(ami.bootMode) && !InstanceTypes.bootModes(type).contains("uefi")
                || "legacy-bios".equals(ami.bootMode) && !InstanceTypes.bootModes(type).contains("legacy-bios")) {
            throw new Ec2Exception("InvalidParameterCombination", "The instance type " + typeName
                    + " does not support the boot mode " + ami.bootMode + " of " + ami.id);
        }
        int min = req.minCount() == null ? 1 : req.minCount();
        int max = req.maxCount() == null ? min : req.maxCount();
        if (min < 1 || max < min) {
            throw Ec2Exception.invalidParameterValue("Invalid MinCount/MaxCount: " + min + "/" + max);
        }
        if (max > MAX_PER_CALL) {
            throw new Ec2Exception("InstanceLimitExceeded", "You have requested more instances (" + max
                    + ") than your current instance limit of " + MAX_PER_CALL + " allows");
        }
        if (req.keyName() != null && !region.keyPairs.containsKey(req.keyName())) {
            throw new Ec2Exception("InvalidKeyPair.NotFound", "The key pair '" + req.keyName() + "' does not exist");
        }
        return new Launch(req, ami, typeName, max, groupIds(region, req));
    }

    /**
     * What an instance-store AMI never takes, with AWS's errors: an EBS root, or stopping on shutdown (such an
     * instance cannot stop).
     */
    private static void checkInstanceStoreLaunch(Model.AmiRec ami, RunInstancesRequest req) {
        if (ami.instanceStoreRoot == null) {
            return;
        }
        if ("stop".equals(req.instanceInitiatedShutdownBehaviorAsString())) {
            throw new Ec2Exception("InvalidParameterCombination", "The attribute instanceInitiatedShutdownBehavior "
                    + "can only be used for elastic images.");
        }
        if (req.blockDeviceMappings().stream().anyMatch(m -> m.ebs() != null
                && m.deviceName() != null && m.deviceName().equals(ami.rootDeviceName))) {
            throw new Ec2Exception("InvalidBlockDeviceMapping", "EBS block device mappings not supported for "
                    + "instance-store AMIs.");
        }
    }

    /** SecurityGroupIds, and SecurityGroups by name in the default VPC; every one must exist. */
    private static List<String> groupIds(RegionState region, RunInstancesRequest req) {
        List<String> groups = new ArrayList<>(req.securityGroupIds());
        for (String name : req.securityGroups()) {
            groups.add(region.securityGroups.values().stream()
                    .filter(g -> g.name.equals(name) && g.vpcId.equals(region.vpcId)).findFirst()
                    .orElseThrow(() -> new Ec2Exception("InvalidGroup.NotFound", "The security group '" + name
                            + "' does not exist in default VPC '" + region.vpcId + "'")).id);
        }
        for (String id : groups) {
            if (!region.securityGroups.containsKey(id)) {
                throw new Ec2Exception("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
            }
        }
        return groups;
    }

    // ---- place ----

    /**
     * SubnetId, else the default subnet of Placement's zone, else of the region's first zone; the groups must be
     * in the subnet's VPC, whose default group they get when the request named none.
     */
    private static Placement place(RegionState region, RunInstancesRequest req, List<String> requestedGroups) {
        String zone = region.defaultZone();
        String subnetId = region.subnetsByZone.get(zone);
        if (req.subnetId() != null) {
            subnetId = req.subnetId();
        } else if (req.placement() != null && req.placement().availabilityZone() != null) {
            zone = req.placement().availabilityZone();
            subnetId = region.subnetsByZone.get(zone);
            if (subnetId == null) {
                throw Ec2Exception.invalidParameterValue("Invalid availability zone: [" + zone + "]");
            }
        }
        Model.SubnetRec subnet = region.subnets.get(subnetId);
        if (subnet == null) {
            throw new Ec2Exception("InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
        }
        List<String> groups = new ArrayList<>(requestedGroups);
        for (String id : groups) {
            if (!region.securityGroups.get(id).vpcId.equals(subnet.vpcId)) {
                throw new Ec2Exception("InvalidParameter", "Security group " + id + " and subnet " + subnet.id
                        + " belong to different networks.");
            }
        }
        if (groups.isEmpty()) {
            groups.add(region.vpcs.get(subnet.vpcId).defaultGroupId);
        }
        return new Placement(subnet, subnet.availabilityZone, groups);
    }

    // ---- create ----

    /**
     * Checks what it is about to create (tag specifications, user data, block devices), then creates the
     * instances of one reservation with their volumes and schedules their boots; returns the reservation id.
     */
    private String create(RegionState region, Launch launch, Placement placement) {
        RunInstancesRequest req = launch.req();
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "instance", "volume", "network-interface");
        if (req.userData() != null && req.userData().length() > MAX_USER_DATA_BASE64) {
            throw Ec2Exception.invalidParameterValue("User data is limited to 16384 bytes");
        }
        Map<String, BlockDeviceMapping> mappings = blockDevices(launch.ami(), req);
        String reservation = Ids.next("r");
        Instant now = Instant.now();
        for (int n = 0; n < launch.count(); n++) {
            Model.InstRec inst = instance(region, launch, placement, reservation, n, now);
            for (BlockDeviceMapping m : mappings.values()) {
                if (m.ebs() != null) {
                    Model.VolRec vol = volume(region, req, inst, m, now);
                    inst.devices.put(m.deviceName(), vol.id);
                }
            }
            life.markNew(inst);
            region.instances.put(inst.id, inst);
            engine.instances().scheduleBoot(inst);
        }
        launch.ami().lastLaunchedTime = now;
        return reservation;
    }

    /** The AMI's block device mappings with the request's changes: bigger volumes, other types, NoDevice. */
    private static Map<String, BlockDeviceMapping> blockDevices(Model.AmiRec ami, RunInstancesRequest req) {
        Map<String, BlockDeviceMapping> mappings = new LinkedHashMap<>();
        for (BlockDeviceMapping m : ami.blockDeviceMappings) {
            mappings.put(m.deviceName(), m);
        }
        for (BlockDeviceMapping m : req.blockDeviceMappings()) {
            BlockDeviceMapping base = mappings.get(m.deviceName());
            if (base != null && base.ebs() != null && m.ebs() != null) {
                EbsBlockDevice.Builder merged = base.ebs().toBuilder();
                if (m.ebs().volumeSize() != null) {
                    if (m.ebs().volumeSize() < base.ebs().volumeSize()) {
                        throw new Ec2Exception("InvalidBlockDeviceMapping", "Volume of size " + m.ebs().volumeSize()
                                + "GB is smaller than snapshot '" + base.ebs().snapshotId() + "', expect size >= "
                                + base.ebs().volumeSize() + "GB");
                    }
                    merged.volumeSize(m.ebs().volumeSize());
                }
                if (m.ebs().volumeTypeAsString() != null) {
                    merged.volumeType(m.ebs().volumeTypeAsString());
                }
                if (m.ebs().deleteOnTermination() != null) {
                    merged.deleteOnTermination(m.ebs().deleteOnTermination());
                }
                if (m.ebs().encrypted() != null) {
                    merged.encrypted(m.ebs().encrypted());
                }
                mappings.put(m.deviceName(), m.toBuilder().ebs(merged.build()).build());
            } else if (m.noDevice() != null) {
                mappings.remove(m.deviceName());
            } else {
                if (m.ebs() != null && m.ebs().volumeSize() == null && m.ebs().snapshotId() == null) {
                    throw new Ec2Exception("InvalidBlockDeviceMapping", "The block device mapping for "
                            + m.deviceName() + " needs a snapshot or a volume size");
                }
                mappings.put(m.deviceName(), m);
            }
        }
        return mappings;
    }

    private Model.InstRec instance(RegionState region, Launch launch, Placement placement, String reservation,
            int launchIndex, Instant now) {
        RunInstancesRequest req = launch.req();
        Model.AmiRec ami = launch.ami();
        Model.SubnetRec subnet = placement.subnet();
        Model.InstRec inst = new Model.InstRec(Ids.next("i"), region.name, now);
        inst.imageId = ami.id;
        inst.instanceType = launch.typeName();
        inst.availabilityZone = placement.zone();
        inst.subnetId = subnet.id;
        inst.vpcId = subnet.vpcId;
        inst.keyName = req.keyName();
        inst.securityGroupIds.addAll(placement.groups());
        inst.userData = req.userData();
        inst.reservationId = reservation;
        inst.amiLaunchIndex = launchIndex;
        inst.privateIp = freeAddress(region, subnet);
        inst.publicIp = subnet.mapPublicIpOnLaunch ? "127.0.0.1" : null;
        inst.architecture = ami.architecture;
        inst.virtualizationType = ami.virtualizationType;
        inst.rootDeviceName = ami.rootDeviceName;
        inst.bootMode = ami.bootMode;
        inst.metadataOptions = metadataOptions(req.metadataOptions(), ami);
        inst.clientToken = req.clientToken();
        inst.instanceStoreRoot = ami.instanceStoreRoot;
        if (ami.instanceStoreRoot != null) {
            inst.shutdownBehavior = "terminate"; // an instance-store instance cannot stop
        }
        if (req.instanceInitiatedShutdownBehaviorAsString() != null) {
            inst.shutdownBehavior = req.instanceInitiatedShutdownBehaviorAsString();
        }
        applyTagSpecs(req.tagSpecifications(), "instance", inst.tags);
        return inst;
    }

    /** The volume of one block device mapping, attached to the new instance from the start. */
    private static Model.VolRec volume(RegionState region, RunInstancesRequest req, Model.InstRec inst,
            BlockDeviceMapping m, Instant now) {
        Model.VolRec vol = new Model.VolRec(Ids.next("vol"), region.name, now);
        vol.availabilityZone = inst.availabilityZone;
        vol.snapshotId = m.ebs().snapshotId();
        Model.SnapRec snap = vol.snapshotId == null ? null : region.snapshots.get(vol.snapshotId);
        vol.sizeGiB = m.ebs().volumeSize() != null ? m.ebs().volumeSize() : snap != null ? snap.sizeGiB : 8;
        vol.volumeType = m.ebs().volumeTypeAsString() == null ? "gp2" : m.ebs().volumeTypeAsString();
        vol.encrypted = Boolean.TRUE.equals(m.ebs().encrypted()) || snap != null && snap.encrypted;
        vol.kmsKeyId = vol.encrypted ? m.ebs().kmsKeyId() : null;
        vol.attachedTo = inst.id;
        vol.device = m.deviceName();
        vol.attachTime = now;
        vol.deleteOnTermination = m.ebs().deleteOnTermination() == null || m.ebs().deleteOnTermination();
        applyTagSpecs(req.tagSpecifications(), "volume", vol.tags);
        region.volumes.put(vol.id, vol);
        return vol;
    }

    /** Without HttpTokens, IMDSv2 is required only for an AMI registered with ImdsSupport v2.0, as on AWS. */
    private static InstanceMetadataOptionsRequest metadataOptions(InstanceMetadataOptionsRequest requested,
            Model.AmiRec ami) {
        InstanceMetadataOptionsRequest.Builder b = requested == null ? InstanceMetadataOptionsRequest.builder()
                : requested.toBuilder();
        if (requested == null || requested.httpTokensAsString() == null) {
            b.httpTokens("v2.0".equals(ami.imdsSupport) ? "required" : "optional");
        }
        return b.build();
    }

    /**
     * The lowest address of the subnet no live instance holds. AWS reserves the first four and the last
     * address of every subnet; an address comes free again when its instance terminates.
     */
    private String freeAddress(RegionState region, Model.SubnetRec subnet) {
        Set<String> taken = new HashSet<>();
        for (Model.InstRec other : region.instances.values()) {
            if (subnet.id.equals(other.subnetId) && !"terminated".equals(life.instanceState(other))) {
                taken.add(other.privateIp);
            }
        }
        for (long offset = 4; offset < subnet.cidr.size() - 1; offset++) {
            String address = subnet.cidr.address(offset);
            if (!taken.contains(address)) {
                return address;
            }
        }
        throw new Ec2Exception("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '"
                + subnet.id + "' to satisfy the requested number of instances.");
    }
}
