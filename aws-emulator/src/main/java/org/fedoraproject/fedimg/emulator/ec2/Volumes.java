package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.tags;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.Ec2Xml;
import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.AttachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.EnableEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.GetEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

/**
 * Volumes: CreateVolume (ClientToken), AttachVolume and DetachVolume (into booted instances, see
 * {@link InstanceRuntime}), DeleteVolume, DescribeVolumes, and the region's EBS encryption by default.
 */
final class Volumes extends ResourceHandlers {

    Volumes(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateVolume", this::createVolume);
        actions.put("AttachVolume", this::attachVolume);
        actions.put("DetachVolume", this::detachVolume);
        actions.put("DeleteVolume", this::deleteVolume);
        actions.put("DescribeVolumes", this::describeVolumes);
        actions.put("GetEbsEncryptionByDefault", (r, f) -> GetEbsEncryptionByDefaultResponse.builder()
                .ebsEncryptionByDefault(r.ebsEncryptionByDefault).sseType("none").build());
        actions.put("EnableEbsEncryptionByDefault", (r, f) -> {
            r.ebsEncryptionByDefault = true;
            return EnableEbsEncryptionByDefaultResponse.builder().ebsEncryptionByDefault(true).build();
        });
    }

    private CreateVolumeResponse createVolume(RegionState region, Map<String, String> form) {
        CreateVolumeRequest req = QueryBinder.bind(form, CreateVolumeRequest.builder());
        String zone = require(req.availabilityZone(), "AvailabilityZone");
        if (!region.subnetsByZone.containsKey(zone)) {
            throw Ec2Exception.invalidParameterValue("Invalid availability zone: [" + zone + "]");
        }
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Requests.replayed(region, "CreateVolume", req.clientToken(), fingerprint);
        if (earlier != null && region.volumes.containsKey(earlier)) {
            return toCreateVolumeResponse(region.volumes.get(earlier));
        }
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "volume");
        Model.SnapRec snap = null;
        if (req.snapshotId() != null) {
            snap = Snapshots.find(region, req.snapshotId());
            if (!"completed".equals(life.snapshotState(snap))) {
                throw Ec2Exception.incorrectState("Snapshot " + snap.id + " is not completed");
            }
        }
        Integer size = req.size();
        if (size == null) {
            if (snap == null) {
                throw Ec2Exception.missingParameter("Size");
            }
            size = snap.sizeGiB;
        }
        if (size < 1 || size > 65536) {
            throw new Ec2Exception("InvalidParameterValue", "Volume size " + size + " is out of range (1-65536 GiB)");
        }
        if (snap != null && size < snap.sizeGiB) {
            throw Ec2Exception.invalidParameterValue("Volume of " + size + "GiB is smaller than snapshot " + snap.id
                    + ", expect size >= " + snap.sizeGiB + "GiB");
        }
        Model.VolRec vol = new Model.VolRec(Ids.next("vol"), region.name, Instant.now());
        vol.availabilityZone = zone;
        vol.sizeGiB = size;
        vol.snapshotId = req.snapshotId();
        vol.volumeType = req.volumeTypeAsString() == null ? "gp2" : req.volumeTypeAsString();
        vol.iops = req.iops();
        vol.throughput = req.throughput();
        vol.encrypted = Boolean.TRUE.equals(req.encrypted()) || snap != null && snap.encrypted
                || region.ebsEncryptionByDefault;
        vol.kmsKeyId = vol.encrypted ? (req.kmsKeyId() != null ? req.kmsKeyId()
                : engine.defaultEbsKey(region.name)) : null;
        applyTagSpecs(req.tagSpecifications(), "volume", vol.tags);
        life.markNew(vol);
        region.volumes.put(vol.id, vol);
        Requests.remember(region, "CreateVolume", req.clientToken(), fingerprint, vol.id);
        return toCreateVolumeResponse(vol);
    }

    private CreateVolumeResponse toCreateVolumeResponse(Model.VolRec vol) {
        Volume v = toVolume(vol);
        return CreateVolumeResponse.builder().volumeId(v.volumeId()).size(v.size()).snapshotId(v.snapshotId())
                .availabilityZone(v.availabilityZone()).state(v.stateAsString()).createTime(v.createTime())
                .encrypted(v.encrypted()).kmsKeyId(v.kmsKeyId()).volumeType(v.volumeTypeAsString()).iops(v.iops())
                .throughput(v.throughput()).tags(v.tags()).build();
    }

    private Volume toVolume(Model.VolRec vol) {
        Volume.Builder b = Volume.builder()
                .volumeId(vol.id)
                .size(vol.sizeGiB)
                .snapshotId(vol.snapshotId == null ? "" : vol.snapshotId)
                .availabilityZone(vol.availabilityZone)
                .state(life.volumeState(vol))
                .createTime(vol.created)
                .encrypted(vol.encrypted)
                .kmsKeyId(vol.kmsKeyId)
                .volumeType(vol.volumeType)
                .iops(vol.iops != null ? vol.iops : defaultIops(vol))
                .throughput(vol.throughput != null ? vol.throughput : "gp3".equals(vol.volumeType) ? 125 : null)
                .multiAttachEnabled(false);
        if (vol.attachedTo != null) {
            b.attachments(VolumeAttachment.builder().volumeId(vol.id).instanceId(vol.attachedTo).device(vol.device)
                    .state("attached").attachTime(vol.attachTime).deleteOnTermination(vol.deleteOnTermination).build());
        } else {
            b.attachments(List.of());
        }
        if (!vol.tags.isEmpty()) {
            b.tags(tags(vol.tags));
        }
        return b.build();
    }

    private static Integer defaultIops(Model.VolRec vol) {
        return switch (vol.volumeType) {
            case "gp2" -> Math.max(100, Math.min(16000, vol.sizeGiB * 3));
            case "gp3" -> 3000;
            default -> null;
        };
    }

    static Model.VolRec find(RegionState region, String id) {
        require(id, "VolumeId");
        Model.VolRec vol = region.volumes.get(id);
        if (vol == null) {
            throw new Ec2Exception("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
        }
        return vol;
    }

    private AttachVolumeResponse attachVolume(RegionState region, Map<String, String> form) {
        AttachVolumeRequest req = QueryBinder.bind(form, AttachVolumeRequest.builder());
        Model.VolRec vol = find(region, req.volumeId());
        String device = require(req.device(), "Device");
        Model.InstRec inst = region.instances.get(require(req.instanceId(), "InstanceId"));
        if (inst == null) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID '" + req.instanceId() + "' does not exist");
        }
        String state = life.instanceState(inst);
        if (!state.equals("running") && !state.equals("stopped")) {
            throw new Ec2Exception("IncorrectInstanceState", "Instance '" + inst.id + "' is not 'running' or 'stopped'.");
        }
        if (!"available".equals(life.volumeState(vol))) {
            throw new Ec2Exception("IncorrectState", "vol '" + vol.id + "' is not 'available'.");
        }
        if (!vol.availabilityZone.equals(inst.availabilityZone)) {
            throw new Ec2Exception("InvalidVolume.ZoneMismatch", "The volume '" + vol.id + "' is not in the same "
                    + "availability zone as instance '" + inst.id + "'");
        }
        if (!device.matches("/dev/(sd[b-z]|xvd[b-z]|sd[a-z][1-9]?)")) {
            throw Ec2Exception.invalidParameterValue("Value (" + device + ") for parameter device is invalid. "
                    + device + " is not a valid EBS device name.");
        }
        if (inst.devices.containsKey(device)) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + device + "' for unixDevice. Attachment point "
                    + device + " is already in use");
        }
        vol.attachedTo = inst.id;
        vol.device = device;
        vol.attachTime = Instant.now();
        vol.deleteOnTermination = false;
        inst.devices.put(device, vol.id);
        engine.instances().linkVolume(inst, vol);
        return AttachVolumeResponse.builder().volumeId(vol.id).instanceId(inst.id).device(device).state("attaching")
                .attachTime(vol.attachTime).deleteOnTermination(false).build();
    }

    private DetachVolumeResponse detachVolume(RegionState region, Map<String, String> form) {
        DetachVolumeRequest req = QueryBinder.bind(form, DetachVolumeRequest.builder());
        Model.VolRec vol = find(region, req.volumeId());
        if (vol.attachedTo == null) {
            throw new Ec2Exception("IncorrectState", "Volume '" + vol.id + "' is in the 'available' state.");
        }
        if (req.instanceId() != null && !req.instanceId().equals(vol.attachedTo)) {
            throw new Ec2Exception("InvalidAttachment.NotFound", "Volume '" + vol.id + "' is not attached to '"
                    + req.instanceId() + "'");
        }
        Model.InstRec inst = region.instances.get(vol.attachedTo);
        String device = vol.device;
        if (inst != null && device.equals(inst.rootDeviceName) && "running".equals(life.instanceState(inst))) {
            throw new Ec2Exception("OperationNotPermitted", "Unable to detach root volume '" + vol.id
                    + "' from instance '" + inst.id + "'");
        }
        if (inst != null) {
            engine.instances().unlinkVolume(inst, vol, device);
            inst.devices.remove(device);
        }
        Instant attachTime = vol.attachTime;
        String instanceId = vol.attachedTo;
        vol.attachedTo = null;
        vol.device = null;
        vol.attachTime = null;
        return DetachVolumeResponse.builder().volumeId(vol.id).instanceId(instanceId).device(device)
                .state("detaching").attachTime(attachTime).deleteOnTermination(false).build();
    }

    private DeleteVolumeResponse deleteVolume(RegionState region, Map<String, String> form) {
        DeleteVolumeRequest req = QueryBinder.bind(form, DeleteVolumeRequest.builder());
        Model.VolRec vol = find(region, req.volumeId());
        if (vol.attachedTo != null) {
            throw new Ec2Exception("VolumeInUse", "Volume " + vol.id + " is currently attached to " + vol.attachedTo);
        }
        engine.content().deleteVolume(region, vol);
        return DeleteVolumeResponse.builder().build();
    }

    private DescribeVolumesResponse describeVolumes(RegionState region, Map<String, String> form) {
        DescribeVolumesRequest req = QueryBinder.bind(form, DescribeVolumesRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.volumeIds());
        for (String id : wanted) {
            Model.VolRec vol = region.volumes.get(id);
            if (vol == null || LifeCycles.hiddenByConsistency(vol)) {
                throw new Ec2Exception("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
            }
        }
        List<Volume> out = new ArrayList<>();
        for (Model.VolRec vol : region.volumes.values()) {
            if (!wanted.isEmpty() && !wanted.contains(vol.id)) {
                continue;
            }
            if (wanted.isEmpty() && LifeCycles.hiddenByConsistency(vol)) {
                continue;
            }
            if (Filters.matches(req.filters(), vol.tags, f -> volumeAttribute(vol, f))) {
                out.add(toVolume(vol));
            }
        }
        return DescribeVolumesResponse.builder().volumes(out).build();
    }

    private Collection<String> volumeAttribute(Model.VolRec vol, String filter) {
        return switch (filter) {
            case "volume-id" -> List.of(vol.id);
            case "status" -> List.of(life.volumeState(vol));
            case "size" -> List.of(String.valueOf(vol.sizeGiB));
            case "snapshot-id" -> Filters.of(vol.snapshotId);
            case "availability-zone" -> List.of(vol.availabilityZone);
            case "volume-type" -> List.of(vol.volumeType);
            case "encrypted" -> List.of(String.valueOf(vol.encrypted));
            case "attachment.instance-id" -> Filters.of(vol.attachedTo);
            case "attachment.device" -> Filters.of(vol.device);
            case "attachment.status" -> vol.attachedTo == null ? List.of() : List.of("attached");
            case "attachment.delete-on-termination" -> List.of(String.valueOf(vol.deleteOnTermination));
            case "create-time" -> List.of(Ec2Xml.timestamp(vol.created));
            default -> null;
        };
    }
}
