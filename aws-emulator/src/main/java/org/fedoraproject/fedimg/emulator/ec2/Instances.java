package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.TagRules.tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.EbsInstanceBlockDevice;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;
import software.amazon.awssdk.services.ec2.model.InstanceState;
import software.amazon.awssdk.services.ec2.model.Monitoring;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.StateReason;

/**
 * DescribeInstances and the Instance model the SDK reads (also RunInstances' answer), and what the other
 * instance handlers share: finding instances by id, NotFound while eventual consistency hides them.
 */
final class Instances extends ResourceHandlers {

    Instances(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeInstances", this::describeInstances);
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
            if (wanted.isEmpty() && LifeCycles.hiddenByConsistency(inst)) {
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
            case "instance-state-name" -> List.of(life.instanceState(inst));
            case "instance-state-code" -> List.of(String.valueOf(LifeCycles.stateCode(life.instanceState(inst))));
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

    Instance toInstance(Model.InstRec inst) {
        RegionState region = engine.regions().get(inst.region);
        String state = life.instanceState(inst);
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
                .state(InstanceState.builder().code(LifeCycles.stateCode(state)).name(state).build())
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
                .rootDeviceType(inst.rootDeviceType())
                .rootDeviceName(inst.rootDeviceName)
                .blockDeviceMappings(bdms)
                .virtualizationType(inst.virtualizationType)
                .clientToken(inst.clientToken == null ? "" : inst.clientToken)
                .hypervisor("xen")
                .enaSupport(true)
                .ebsOptimized(false)
                .sourceDestCheck(true)
                .securityGroups(inst.securityGroupIds.stream().map(g -> groupIdentifier(region, g)).toList())
                .bootMode(inst.bootMode)
                .currentInstanceBootMode(inst.vm
                        ? org.fedoraproject.fedimg.emulator.vm.Firmware.of(inst.architecture, inst.bootMode).bootMode()
                        : inst.bootMode == null || inst.bootMode.equals("uefi-preferred") ? "legacy-bios" : inst.bootMode)
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

    static GroupIdentifier groupIdentifier(RegionState region, String id) {
        Model.SgRec sg = region.securityGroups.get(id);
        return GroupIdentifier.builder().groupId(id).groupName(sg == null ? null : sg.name).build();
    }

    static Model.InstRec find(RegionState region, String id) {
        Model.InstRec inst = region.instances.get(id);
        if (inst == null) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
        }
        return inst;
    }

    static void checkIds(RegionState region, Collection<String> ids) {
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!id.matches("i-[0-9a-f]{8}([0-9a-f]{9})?")) {
                throw new Ec2Exception("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
            }
            Model.InstRec inst = region.instances.get(id);
            if (inst == null || LifeCycles.hiddenByConsistency(inst)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID" + (missing.size() > 1 ? "s '" : " '")
                    + String.join(", ", missing) + (missing.size() > 1 ? "' do not exist" : "' does not exist"));
        }
    }
}
