package org.fedoraproject.fedimg.emulator.internal;

import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.require;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.tags;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceStatusResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputRequest;
import software.amazon.awssdk.services.ec2.model.GetConsoleOutputResponse;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceStatusDetails;
import software.amazon.awssdk.services.ec2.model.InstanceStatusSummary;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.Monitoring;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.StateReason;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesResponse;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesResponse;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/** RunInstances and friends: instances boot by running their user-data (see {@link UserDataRunner}). */
final class Ec2Instances {

    private final Engine engine;

    Ec2Instances(Engine engine) {
        this.engine = engine;
    }

    void register(Map<String, Ec2Support.Handler> actions) {
        actions.put("RunInstances", this::runInstances);
        actions.put("DescribeInstances", this::describeInstances);
        actions.put("DescribeInstanceStatus", this::describeInstanceStatus);
        actions.put("TerminateInstances", this::terminateInstances);
        actions.put("StopInstances", this::stopInstances);
        actions.put("GetConsoleOutput", this::getConsoleOutput);
        actions.put("DescribeInstanceTypes", this::describeInstanceTypes);
    }

    private RunInstancesResponse runInstances(RegionState region, Map<String, String> form) {
        RunInstancesRequest req = QueryBinder.bind(form, RunInstancesRequest.builder());
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Ec2Support.replayed(region, "RunInstances", req.clientToken(), fingerprint);
        if (earlier != null) {
            List<Instance> again = region.instances.values().stream().filter(i -> earlier.equals(i.reservationId))
                    .map(this::toInstance).toList();
            return RunInstancesResponse.builder().reservationId(earlier).ownerId(engine.accountId())
                    .instances(again).build();
        }
        String imageId = require(req.imageId(), "ImageId");
        Model.AmiRec ami = region.images.get(imageId);
        if (ami == null) {
            throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + imageId + "]' does not exist");
        }
        if (!"available".equals(engine.imageState(ami))) {
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
        if (max > 20) {
            throw new Ec2Exception("InstanceLimitExceeded", "You have requested more instances (" + max
                    + ") than your current instance limit of 20 allows");
        }
        if (req.keyName() != null && !region.keyPairs.containsKey(req.keyName())) {
            throw new Ec2Exception("InvalidKeyPair.NotFound", "The key pair '" + req.keyName() + "' does not exist");
        }
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
        zone = subnet.availabilityZone;
        for (String id : groups) {
            if (!region.securityGroups.get(id).vpcId.equals(subnet.vpcId)) {
                throw new Ec2Exception("InvalidParameter", "Security group " + id + " and subnet " + subnet.id
                        + " belong to different networks.");
            }
        }
        if (groups.isEmpty()) {
            groups.add(region.vpcs.get(subnet.vpcId).defaultGroupId);
        }
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "instance", "volume", "network-interface");
        if (req.userData() != null && req.userData().length() > 25600) {
            throw Ec2Exception.invalidParameterValue("User data is limited to 16384 bytes");
        }
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
        String reservation = Ids.next("r");
        Instant now = Instant.now();
        for (int n = 0; n < max; n++) {
            Model.InstRec inst = new Model.InstRec(Ids.next("i"), region.name, now);
            inst.imageId = ami.id;
            inst.instanceType = typeName;
            inst.availabilityZone = zone;
            inst.subnetId = subnet.id;
            inst.vpcId = subnet.vpcId;
            inst.keyName = req.keyName();
            inst.securityGroupIds.addAll(groups);
            inst.userData = req.userData();
            inst.reservationId = reservation;
            inst.amiLaunchIndex = n;
            inst.privateIp = freeAddress(region, subnet);
            inst.publicIp = subnet.mapPublicIpOnLaunch ? "127.0.0.1" : null;
            inst.architecture = ami.architecture;
            inst.rootDeviceName = ami.rootDeviceName;
            inst.bootMode = ami.bootMode;
            inst.metadataOptions = metadataOptions(req.metadataOptions(), ami);
            inst.clientToken = req.clientToken();
            if (req.instanceInitiatedShutdownBehaviorAsString() != null) {
                inst.shutdownBehavior = req.instanceInitiatedShutdownBehaviorAsString();
            }
            applyTagSpecs(req.tagSpecifications(), "instance", inst.tags);
            for (BlockDeviceMapping m : mappings.values()) {
                if (m.ebs() == null) {
                    continue;
                }
                Model.VolRec vol = new Model.VolRec(Ids.next("vol"), region.name, now);
                vol.availabilityZone = zone;
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
                inst.devices.put(m.deviceName(), vol.id);
            }
            engine.markNew(inst);
            region.instances.put(inst.id, inst);
            engine.scheduleBoot(inst);
        }
        Ec2Support.remember(region, "RunInstances", req.clientToken(), fingerprint, reservation);
        List<Instance> launched = region.instances.values().stream()
                .filter(i -> reservation.equals(i.reservationId)).map(this::toInstance).toList();
        return RunInstancesResponse.builder().reservationId(reservation).ownerId(engine.accountId())
                .groups(groups.stream().map(g -> groupIdentifier(region, g)).toList())
                .instances(launched).build();
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
        Set<String> taken = new java.util.HashSet<>();
        for (Model.InstRec other : region.instances.values()) {
            if (subnet.id.equals(other.subnetId) && !"terminated".equals(engine.instanceState(other))) {
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

    private static GroupIdentifier groupIdentifier(RegionState region, String id) {
        Model.SgRec sg = region.securityGroups.get(id);
        return GroupIdentifier.builder().groupId(id).groupName(sg == null ? null : sg.name).build();
    }

    Instance toInstance(Model.InstRec inst) {
        RegionState region = engine.regions().get(inst.region);
        String state = engine.instanceState(inst);
        boolean live = state.equals("pending") || state.equals("running");
        List<InstanceBlockDeviceMapping> bdms = new ArrayList<>();
        inst.devices.forEach((device, volId) -> {
            Model.VolRec vol = region.volumes.get(volId);
            bdms.add(InstanceBlockDeviceMapping.builder().deviceName(device).ebs(EbsInstanceBlockDevice.builder()
                    .volumeId(volId).status("attached").attachTime(vol == null ? inst.created : vol.attachTime)
                    .deleteOnTermination(vol != null && vol.deleteOnTermination).build()).build());
        });
        var md = inst.metadataOptions;
        Instance.Builder b = Instance.builder()
                .instanceId(inst.id)
                .imageId(inst.imageId)
                .state(InstanceState.builder().code(Engine.stateCode(state)).name(state).build())
                .privateDnsName("ip-" + inst.privateIp.replace('.', '-') + "." + inst.region + ".compute.internal")
                .privateIpAddress(inst.privateIp)
                .stateTransitionReason(inst.stateReason == null ? "" : inst.stateReason)
                .keyName(inst.keyName)
                .amiLaunchIndex(inst.amiLaunchIndex)
                .instanceType(inst.instanceType)
                .launchTime(inst.created)
                .placement(Placement.builder().availabilityZone(inst.availabilityZone).tenancy("default").build())
                .monitoring(Monitoring.builder().state("disabled").build())
                .subnetId(inst.subnetId)
                .vpcId(inst.vpcId)
                .architecture(inst.architecture)
                .rootDeviceType("ebs")
                .rootDeviceName(inst.rootDeviceName)
                .blockDeviceMappings(bdms)
                .virtualizationType("hvm")
                .clientToken(inst.clientToken == null ? "" : inst.clientToken)
                .hypervisor("xen")
                .enaSupport(true)
                .ebsOptimized(false)
                .sourceDestCheck(true)
                .securityGroups(inst.securityGroupIds.stream().map(g -> groupIdentifier(region, g)).toList())
                .bootMode(inst.bootMode)
                .currentInstanceBootMode(inst.bootMode == null || inst.bootMode.equals("uefi-preferred")
                        ? "legacy-bios" : inst.bootMode)
                .platformDetails("Linux/UNIX")
                .usageOperation("RunInstances")
                .metadataOptions(InstanceMetadataOptionsResponse.builder()
                        .state(state.equals("pending") ? "pending" : "applied")
                        .httpTokens(md.httpTokensAsString())
                        .httpPutResponseHopLimit(md != null && md.httpPutResponseHopLimit() != null
                                ? md.httpPutResponseHopLimit() : 2)
                        .httpEndpoint(md != null && md.httpEndpointAsString() != null ? md.httpEndpointAsString() : "enabled")
                        .httpProtocolIpv6("disabled")
                        .instanceMetadataTags(md != null && md.instanceMetadataTagsAsString() != null
                                ? md.instanceMetadataTagsAsString() : "disabled")
                        .build());
        if (live && inst.publicIp != null) {
            b.publicIpAddress(inst.publicIp).publicDnsName("localhost");
        } else {
            b.publicDnsName("");
        }
        if (inst.stateReason != null) {
            b.stateReason(StateReason.builder().code(inst.stateReason.split(":")[0]).message(inst.stateReason).build());
        }
        if (!inst.tags.isEmpty()) {
            b.tags(tags(inst.tags));
        }
        return b.build();
    }

    Model.InstRec find(RegionState region, String id) {
        Model.InstRec inst = region.instances.get(id);
        if (inst == null) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        return inst;
    }

    private void checkIds(RegionState region, Collection<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!id.matches("i-[0-9a-f]{8}([0-9a-f]{9})?")) {
                throw new Ec2Exception("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
            }
            Model.InstRec inst = region.instances.get(id);
            if (inst == null || Engine.hiddenByConsistency(inst)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID" + (missing.size() > 1 ? "s '" : " '")
                    + String.join(", ", missing) + (missing.size() > 1 ? "' do not exist" : "' does not exist"));
        }
    }

    private DescribeInstancesResponse describeInstances(RegionState region, Map<String, String> form) {
        DescribeInstancesRequest req = QueryBinder.bind(form, DescribeInstancesRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.instanceIds());
        checkIds(region, wanted);
        Map<String, List<Instance>> byReservation = new LinkedHashMap<>();
        for (Model.InstRec inst : region.instances.values()) {
            if (!wanted.isEmpty() && !wanted.contains(inst.id)) {
                continue;
            }
            if (wanted.isEmpty() && Engine.hiddenByConsistency(inst)) {
                continue;
            }
            if (Filters.matches(req.filters(), inst.tags, f -> instanceAttribute(inst, f))) {
                byReservation.computeIfAbsent(inst.reservationId, r -> new ArrayList<>()).add(toInstance(inst));
            }
        }
        List<Reservation> reservations = new ArrayList<>();
        byReservation.forEach((id, list) -> reservations.add(Reservation.builder().reservationId(id)
                .ownerId(engine.accountId()).instances(list).groups(List.of()).build()));
        return DescribeInstancesResponse.builder().reservations(reservations).build();
    }

    private Collection<String> instanceAttribute(Model.InstRec inst, String filter) {
        return switch (filter) {
            case "instance-id" -> List.of(inst.id);
            case "instance-state-name" -> List.of(engine.instanceState(inst));
            case "instance-state-code" -> List.of(String.valueOf(Engine.stateCode(engine.instanceState(inst))));
            case "image-id" -> List.of(inst.imageId);
            case "instance-type" -> List.of(inst.instanceType);
            case "key-name" -> Filters.of(inst.keyName);
            case "availability-zone" -> List.of(inst.availabilityZone);
            case "reservation-id" -> List.of(inst.reservationId);
            case "client-token" -> Filters.of(inst.clientToken);
            case "architecture" -> List.of(inst.architecture);
            case "vpc-id" -> List.of(inst.vpcId);
            case "subnet-id" -> List.of(inst.subnetId);
            case "private-ip-address" -> List.of(inst.privateIp);
            case "ip-address" -> Filters.of(inst.publicIp);
            case "instance.group-id", "group-id" -> inst.securityGroupIds;
            case "block-device-mapping.volume-id" -> inst.devices.values();
            case "owner-id" -> List.of(engine.accountId());
            default -> null;
        };
    }

    private DescribeInstanceStatusResponse describeInstanceStatus(RegionState region, Map<String, String> form) {
        DescribeInstanceStatusRequest req = QueryBinder.bind(form, DescribeInstanceStatusRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.instanceIds());
        checkIds(region, wanted);
        boolean all = Boolean.TRUE.equals(req.includeAllInstances());
        List<InstanceStatus> out = new ArrayList<>();
        for (Model.InstRec inst : region.instances.values()) {
            if (!wanted.isEmpty() && !wanted.contains(inst.id)) {
                continue;
            }
            String state = engine.instanceState(inst);
            if (!all && !state.equals("running")) {
                continue;
            }
            String check = engine.statusCheck(inst);
            String reach = switch (check) {
                case "ok" -> "passed";
                case "impaired" -> "failed";
                case "initializing" -> "initializing";
                default -> null;
            };
            InstanceStatusSummary.Builder instanceStatus = InstanceStatusSummary.builder().status(check);
            InstanceStatusSummary.Builder systemStatus = InstanceStatusSummary.builder()
                    .status(check.equals("impaired") ? "ok" : check);
            if (reach != null) {
                instanceStatus.details(InstanceStatusDetails.builder().name("reachability").status(reach).build());
                systemStatus.details(InstanceStatusDetails.builder().name("reachability")
                        .status(reach.equals("failed") ? "passed" : reach).build());
            }
            InstanceStatus status = InstanceStatus.builder()
                    .instanceId(inst.id)
                    .availabilityZone(inst.availabilityZone)
                    .instanceState(InstanceState.builder().code(Engine.stateCode(state)).name(state).build())
                    .instanceStatus(instanceStatus.build())
                    .systemStatus(systemStatus.build())
                    .build();
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "instance-state-name" -> List.of(state);
                case "instance-status.status" -> List.of(check);
                case "system-status.status" -> List.of(status.systemStatus().statusAsString());
                case "instance-status.reachability" -> Filters.of(reach);
                case "availability-zone" -> List.of(inst.availabilityZone);
                default -> null;
            })) {
                out.add(status);
            }
        }
        return DescribeInstanceStatusResponse.builder().instanceStatuses(out).build();
    }

    private TerminateInstancesResponse terminateInstances(RegionState region, Map<String, String> form) {
        TerminateInstancesRequest req = QueryBinder.bind(form, TerminateInstancesRequest.builder());
        if (req.instanceIds().isEmpty()) {
            throw Ec2Exception.missingParameter("InstanceId");
        }
        checkIds(region, req.instanceIds());
        List<InstanceStateChange> changes = new ArrayList<>();
        for (String id : req.instanceIds()) {
            Model.InstRec inst = find(region, id);
            String before = engine.instanceState(inst);
            engine.terminate(region, inst, "Client.UserInitiatedShutdown: User initiated shutdown");
            String after = engine.instanceState(inst);
            changes.add(InstanceStateChange.builder().instanceId(id)
                    .previousState(InstanceState.builder().code(Engine.stateCode(before)).name(before).build())
                    .currentState(InstanceState.builder().code(Engine.stateCode(after)).name(after).build()).build());
        }
        return TerminateInstancesResponse.builder().terminatingInstances(changes).build();
    }

    private StopInstancesResponse stopInstances(RegionState region, Map<String, String> form) {
        StopInstancesRequest req = QueryBinder.bind(form, StopInstancesRequest.builder());
        checkIds(region, req.instanceIds());
        List<InstanceStateChange> changes = new ArrayList<>();
        for (String id : req.instanceIds()) {
            Model.InstRec inst = find(region, id);
            String before = engine.instanceState(inst);
            if (inst.terminatedAt != null) {
                throw new Ec2Exception("IncorrectInstanceState", "This instance '" + id
                        + "' is not in a state from which it can be stopped.");
            }
            if (inst.stoppedAt == null) {
                inst.stoppedAt = Instant.now();
                inst.stateReason = "Client.UserInitiatedShutdown: User initiated shutdown";
                if (inst.run != null) {
                    engine.runner.terminate(inst.run);
                }
            }
            String after = engine.instanceState(inst);
            changes.add(InstanceStateChange.builder().instanceId(id)
                    .previousState(InstanceState.builder().code(Engine.stateCode(before)).name(before).build())
                    .currentState(InstanceState.builder().code(Engine.stateCode(after)).name(after).build()).build());
        }
        return StopInstancesResponse.builder().stoppingInstances(changes).build();
    }

    private GetConsoleOutputResponse getConsoleOutput(RegionState region, Map<String, String> form) {
        GetConsoleOutputRequest req = QueryBinder.bind(form, GetConsoleOutputRequest.builder());
        Model.InstRec inst = find(region, require(req.instanceId(), "InstanceId"));
        GetConsoleOutputResponse.Builder b = GetConsoleOutputResponse.builder().instanceId(inst.id);
        String state = engine.instanceState(inst);
        boolean buffered = !Boolean.TRUE.equals(req.latest());
        if (inst.run == null || buffered && (state.equals("pending") || state.equals("running"))) {
            // Not booted yet, or (without Latest) only the buffer AWS posts after a state transition, which
            // holds nothing the user-data printed until the instance stops or terminates: no Output element.
            return b.timestamp(Instant.now()).build();
        }
        String text = engine.runner.console(inst.run);
        return b.timestamp(inst.run.consoleUpdated)
                .output(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8))).build();
    }

    private DescribeInstanceTypesResponse describeInstanceTypes(RegionState region, Map<String, String> form) {
        DescribeInstanceTypesRequest req = QueryBinder.bind(form, DescribeInstanceTypesRequest.builder());
        for (String t : req.instanceTypesAsStrings()) {
            if (!InstanceTypes.ALL.containsKey(t)) {
                throw new Ec2Exception("InvalidInstanceType", "The following supplied instance types do not exist: [" + t + "]");
            }
        }
        List<InstanceTypeInfo> out = new ArrayList<>();
        for (InstanceTypes.Type t : InstanceTypes.ALL.values()) {
            if (!req.instanceTypesAsStrings().isEmpty() && !req.instanceTypesAsStrings().contains(t.name())) {
                continue;
            }
            boolean matches = Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "instance-type" -> List.of(t.name());
                case "processor-info.supported-architecture" -> List.of(t.arch());
                case "supported-boot-mode" -> InstanceTypes.bootModes(t);
                case "current-generation" -> List.of("true");
                case "burstable-performance-supported" -> List.of(String.valueOf(t.burstable()));
                case "vcpu-info.default-vcpus" -> List.of(String.valueOf(t.vcpus()));
                case "memory-info.size-in-mib" -> List.of(String.valueOf(t.memoryMiB()));
                case "network-info.ena-support" -> List.of("required");
                case "nitro-tpm-support" -> List.of(t.tpm() ? "supported" : "unsupported");
                case "hypervisor" -> List.of("nitro");
                default -> null;
            });
            if (!matches) {
                continue;
            }
            out.add(InstanceTypeInfo.builder()
                    .instanceType(t.name())
                    .currentGeneration(true)
                    .freeTierEligible(t.name().equals("t3.micro") || t.name().equals("t2.micro"))
                    .supportedUsageClassesWithStrings("on-demand", "spot")
                    .supportedRootDeviceTypesWithStrings("ebs")
                    .supportedVirtualizationTypesWithStrings("hvm")
                    .bareMetal(false)
                    .hypervisor("nitro")
                    .processorInfo(ProcessorInfo.builder().supportedArchitecturesWithStrings(t.arch())
                            .manufacturer(t.arch().equals("arm64") ? "AWS" : "Intel").build())
                    .vCpuInfo(VCpuInfo.builder().defaultVCpus(t.vcpus()).defaultCores(Math.max(1, t.vcpus() / 2))
                            .defaultThreadsPerCore(t.vcpus() > 1 && t.arch().equals("x86_64") ? 2 : 1).build())
                    .memoryInfo(MemoryInfo.builder().sizeInMiB(t.memoryMiB()).build())
                    .instanceStorageSupported(false)
                    .burstablePerformanceSupported(t.burstable())
                    .hibernationSupported(true)
                    .supportedBootModesWithStrings(InstanceTypes.bootModes(t))
                    .nitroTpmSupport(t.tpm() ? "supported" : "unsupported")
                    .build());
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
    }
}
