package org.fedoraproject.fedimg.emulator.internal;

import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.require;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.tags;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.services.ec2.model.AttachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.AttachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.CreateVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesResponse;
import software.amazon.awssdk.services.ec2.model.DetachVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DetachVolumeResponse;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

/** Volumes (with attach/detach into booted instances) and snapshots (with create-volume permissions). */
final class Ec2Storage {

    private final Engine engine;

    Ec2Storage(Engine engine) {
        this.engine = engine;
    }

    void register(Map<String, Ec2Support.Handler> actions) {
        actions.put("CreateVolume", this::createVolume);
        actions.put("AttachVolume", this::attachVolume);
        actions.put("DetachVolume", this::detachVolume);
        actions.put("DeleteVolume", this::deleteVolume);
        actions.put("DescribeVolumes", this::describeVolumes);
        actions.put("CreateSnapshot", this::createSnapshot);
        actions.put("DescribeSnapshots", this::describeSnapshots);
        actions.put("DeleteSnapshot", this::deleteSnapshot);
        actions.put("ModifySnapshotAttribute", this::modifySnapshotAttribute);
        actions.put("DescribeSnapshotAttribute", this::describeSnapshotAttribute);
    }

    // ---- volumes ----

    private CreateVolumeResponse createVolume(RegionState region, Map<String, String> form) {
        CreateVolumeRequest req = QueryBinder.bind(form, CreateVolumeRequest.builder());
        String zone = require(req.availabilityZone(), "AvailabilityZone");
        if (!region.subnetsByZone.containsKey(zone)) {
            throw Ec2Exception.invalidParameterValue("Invalid availability zone: [" + zone + "]");
        }
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Ec2Support.replayed(region, "CreateVolume", req.clientToken(), fingerprint);
        if (earlier != null && region.volumes.containsKey(earlier)) {
            return toCreateVolumeResponse(region.volumes.get(earlier));
        }
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "volume");
        Model.SnapRec snap = null;
        if (req.snapshotId() != null) {
            snap = findSnapshot(region, req.snapshotId());
            if (!"completed".equals(engine.snapshotState(snap))) {
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
                : "arn:aws:kms:" + region.name + ":" + engine.accountId() + ":alias/aws/ebs") : null;
        applyTagSpecs(req.tagSpecifications(), "volume", vol.tags);
        engine.markNew(vol);
        region.volumes.put(vol.id, vol);
        Ec2Support.remember(region, "CreateVolume", req.clientToken(), fingerprint, vol.id);
        return toCreateVolumeResponse(vol);
    }

    private CreateVolumeResponse toCreateVolumeResponse(Model.VolRec vol) {
        Volume v = toVolume(vol);
        return CreateVolumeResponse.builder().volumeId(v.volumeId()).size(v.size()).snapshotId(v.snapshotId())
                .availabilityZone(v.availabilityZone()).state(v.stateAsString()).createTime(v.createTime())
                .encrypted(v.encrypted()).kmsKeyId(v.kmsKeyId()).volumeType(v.volumeTypeAsString()).iops(v.iops())
                .throughput(v.throughput()).tags(v.tags()).build();
    }

    Volume toVolume(Model.VolRec vol) {
        Volume.Builder b = Volume.builder()
                .volumeId(vol.id)
                .size(vol.sizeGiB)
                .snapshotId(vol.snapshotId == null ? "" : vol.snapshotId)
                .availabilityZone(vol.availabilityZone)
                .state(engine.volumeState(vol))
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

    Model.VolRec findVolume(RegionState region, String id) {
        require(id, "VolumeId");
        Model.VolRec vol = region.volumes.get(id);
        if (vol == null) {
            throw new Ec2Exception("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
        }
        return vol;
    }

    private AttachVolumeResponse attachVolume(RegionState region, Map<String, String> form) {
        AttachVolumeRequest req = QueryBinder.bind(form, AttachVolumeRequest.builder());
        Model.VolRec vol = findVolume(region, req.volumeId());
        String device = require(req.device(), "Device");
        Model.InstRec inst = region.instances.get(require(req.instanceId(), "InstanceId"));
        if (inst == null) {
            throw new Ec2Exception("InvalidInstanceID.NotFound", "The instance ID '" + req.instanceId() + "' does not exist");
        }
        String state = engine.instanceState(inst);
        if (!state.equals("running") && !state.equals("stopped")) {
            throw new Ec2Exception("IncorrectInstanceState", "Instance '" + inst.id + "' is not 'running' or 'stopped'.");
        }
        if (!"available".equals(engine.volumeState(vol))) {
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
        engine.linkVolume(inst, vol);
        return AttachVolumeResponse.builder().volumeId(vol.id).instanceId(inst.id).device(device).state("attaching")
                .attachTime(vol.attachTime).deleteOnTermination(false).build();
    }

    private DetachVolumeResponse detachVolume(RegionState region, Map<String, String> form) {
        DetachVolumeRequest req = QueryBinder.bind(form, DetachVolumeRequest.builder());
        Model.VolRec vol = findVolume(region, req.volumeId());
        if (vol.attachedTo == null) {
            throw new Ec2Exception("IncorrectState", "Volume '" + vol.id + "' is in the 'available' state.");
        }
        if (req.instanceId() != null && !req.instanceId().equals(vol.attachedTo)) {
            throw new Ec2Exception("InvalidAttachment.NotFound", "Volume '" + vol.id + "' is not attached to '"
                    + req.instanceId() + "'");
        }
        Model.InstRec inst = region.instances.get(vol.attachedTo);
        String device = vol.device;
        if (inst != null && device.equals(inst.rootDeviceName) && "running".equals(engine.instanceState(inst))) {
            throw new Ec2Exception("OperationNotPermitted", "Unable to detach root volume '" + vol.id
                    + "' from instance '" + inst.id + "'");
        }
        if (inst != null) {
            engine.unlinkVolume(inst, vol, device);
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
        Model.VolRec vol = findVolume(region, req.volumeId());
        if (vol.attachedTo != null) {
            throw new Ec2Exception("VolumeInUse", "Volume " + vol.id + " is currently attached to " + vol.attachedTo);
        }
        engine.deleteVolume(region, vol);
        return DeleteVolumeResponse.builder().build();
    }

    private DescribeVolumesResponse describeVolumes(RegionState region, Map<String, String> form) {
        DescribeVolumesRequest req = QueryBinder.bind(form, DescribeVolumesRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.volumeIds());
        for (String id : wanted) {
            Model.VolRec vol = region.volumes.get(id);
            if (vol == null || Engine.hiddenByConsistency(vol)) {
                throw new Ec2Exception("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
            }
        }
        List<Volume> out = new ArrayList<>();
        for (Model.VolRec vol : region.volumes.values()) {
            if (!wanted.isEmpty() && !wanted.contains(vol.id)) {
                continue;
            }
            if (wanted.isEmpty() && Engine.hiddenByConsistency(vol)) {
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
            case "status" -> List.of(engine.volumeState(vol));
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

    // ---- snapshots ----

    Model.SnapRec findSnapshot(RegionState region, String id) {
        require(id, "SnapshotId");
        if (!id.matches("snap-[0-9a-f]{8}([0-9a-f]{9})?")) {
            throw new Ec2Exception("InvalidSnapshotID.Malformed", "Invalid id: \"" + id + "\" (expecting \"snap-...\")");
        }
        Model.SnapRec snap = region.snapshots.get(id);
        if (snap == null) {
            throw new Ec2Exception("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
        }
        return snap;
    }

    private CreateSnapshotResponse createSnapshot(RegionState region, Map<String, String> form) {
        CreateSnapshotRequest req = QueryBinder.bind(form, CreateSnapshotRequest.builder());
        Model.VolRec vol = findVolume(region, req.volumeId());
        if ("creating".equals(engine.volumeState(vol))) {
            throw Ec2Exception.incorrectState("Volume " + vol.id + " is still being created");
        }
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "snapshot");
        Model.SnapRec snap = new Model.SnapRec(Ids.next("snap"), region.name, Instant.now());
        snap.ownerId = engine.accountId();
        snap.description = req.description() == null ? "" : req.description();
        snap.volumeId = vol.id;
        snap.sizeGiB = vol.sizeGiB;
        snap.encrypted = vol.encrypted;
        snap.kmsKeyId = vol.kmsKeyId;
        snap.completeAfter = engine.delays().snapshotCompletion();
        applyTagSpecs(req.tagSpecifications(), "snapshot", snap.tags);
        engine.markNew(snap);
        region.snapshots.put(snap.id, snap);
        engine.captureVolume(snap, vol);
        Snapshot s = toSnapshot(snap);
        return CreateSnapshotResponse.builder().snapshotId(s.snapshotId()).volumeId(s.volumeId())
                .state(s.stateAsString()).startTime(s.startTime()).progress(s.progress()).ownerId(s.ownerId())
                .description(s.description()).volumeSize(s.volumeSize()).encrypted(s.encrypted())
                .kmsKeyId(s.kmsKeyId()).tags(s.tags()).build();
    }

    Snapshot toSnapshot(Model.SnapRec snap) {
        String state = engine.snapshotState(snap);
        Snapshot.Builder b = Snapshot.builder()
                .snapshotId(snap.id)
                .volumeId(snap.volumeId)
                .state(state)
                .startTime(snap.created)
                .progress(engine.snapshotProgress(snap))
                .ownerId(snap.ownerId)
                .description(snap.description)
                .volumeSize(snap.sizeGiB)
                .encrypted(snap.encrypted)
                .kmsKeyId(snap.kmsKeyId)
                .storageTier("standard");
        if ("completed".equals(state) && snap.dataReadyAt != null) {
            b.completionTime(snap.dataReadyAt.plus(snap.completeAfter));
        }
        if ("error".equals(state)) {
            b.stateMessage("The snapshot was not completed within its timeout");
        }
        if (!snap.tags.isEmpty()) {
            b.tags(tags(snap.tags));
        }
        return b.build();
    }

    private DescribeSnapshotsResponse describeSnapshots(RegionState region, Map<String, String> form) {
        DescribeSnapshotsRequest req = QueryBinder.bind(form, DescribeSnapshotsRequest.builder());
        Set<String> wanted = new LinkedHashSet<>(req.snapshotIds());
        for (String id : wanted) {
            Model.SnapRec snap = findSnapshot(region, id);
            if (Engine.hiddenByConsistency(snap)) {
                throw new Ec2Exception("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
            }
        }
        List<Snapshot> out = new ArrayList<>();
        for (Model.SnapRec snap : region.snapshots.values()) {
            if (!wanted.isEmpty() && !wanted.contains(snap.id)) {
                continue;
            }
            if (wanted.isEmpty() && Engine.hiddenByConsistency(snap)) {
                continue;
            }
            if (!req.ownerIds().isEmpty() && req.ownerIds().stream()
                    .noneMatch(o -> o.equals("self") || o.equals(engine.accountId()))) {
                continue;
            }
            if (!req.restorableByUserIds().isEmpty() && req.restorableByUserIds().stream()
                    .noneMatch(u -> u.equals("self") || u.equals(engine.accountId())
                            || snap.volumePermissionUsers.contains(u) || snap.volumePermissionGroups.contains("all"))) {
                continue;
            }
            if (Filters.matches(req.filters(), snap.tags, f -> snapshotAttribute(snap, f))) {
                out.add(toSnapshot(snap));
            }
        }
        return DescribeSnapshotsResponse.builder().snapshots(out).build();
    }

    private Collection<String> snapshotAttribute(Model.SnapRec snap, String filter) {
        return switch (filter) {
            case "snapshot-id" -> List.of(snap.id);
            case "status" -> List.of(engine.snapshotState(snap));
            case "progress" -> List.of(engine.snapshotProgress(snap));
            case "volume-id" -> Filters.of(snap.volumeId);
            case "volume-size" -> List.of(String.valueOf(snap.sizeGiB));
            case "description" -> List.of(snap.description);
            case "owner-id" -> List.of(snap.ownerId);
            case "owner-alias" -> List.of();
            case "encrypted" -> List.of(String.valueOf(snap.encrypted));
            case "start-time" -> List.of(Ec2Xml.timestamp(snap.created));
            case "storage-tier" -> List.of("standard");
            default -> null;
        };
    }

    private DeleteSnapshotResponse deleteSnapshot(RegionState region, Map<String, String> form) {
        DeleteSnapshotRequest req = QueryBinder.bind(form, DeleteSnapshotRequest.builder());
        Model.SnapRec snap = findSnapshot(region, req.snapshotId());
        for (Model.AmiRec ami : region.images.values()) {
            for (BlockDeviceMapping m : ami.blockDeviceMappings) {
                if (m.ebs() != null && snap.id.equals(m.ebs().snapshotId())) {
                    throw new Ec2Exception("InvalidSnapshot.InUse", "The snapshot " + snap.id
                            + " is currently in use by " + ami.id);
                }
            }
        }
        region.snapshots.remove(snap.id);
        return DeleteSnapshotResponse.builder().build();
    }

    private ModifySnapshotAttributeResponse modifySnapshotAttribute(RegionState region, Map<String, String> form) {
        ModifySnapshotAttributeRequest req = QueryBinder.bind(form, ModifySnapshotAttributeRequest.builder());
        Model.SnapRec snap = findSnapshot(region, req.snapshotId());
        if (req.attributeAsString() != null && !"createVolumePermission".equals(req.attributeAsString())) {
            throw Ec2Exception.invalidParameterValue("Attribute " + req.attributeAsString() + " cannot be modified");
        }
        List<CreateVolumePermission> add = new ArrayList<>();
        List<CreateVolumePermission> remove = new ArrayList<>();
        if (req.createVolumePermission() != null) {
            add.addAll(req.createVolumePermission().add());
            remove.addAll(req.createVolumePermission().remove());
        }
        if (req.operationType() != null) {
            List<CreateVolumePermission> target = "add".equals(req.operationTypeAsString()) ? add : remove;
            req.groupNames().forEach(g -> target.add(CreateVolumePermission.builder().group(g).build()));
            req.userIds().forEach(u -> target.add(CreateVolumePermission.builder().userId(u).build()));
        }
        if (add.isEmpty() && remove.isEmpty()) {
            throw Ec2Exception.missingParameter("CreateVolumePermission");
        }
        for (CreateVolumePermission p : add) {
            if (p.groupAsString() != null) {
                if (!"all".equals(p.groupAsString())) {
                    throw Ec2Exception.invalidParameterValue("Invalid group " + p.groupAsString());
                }
                if (snap.encrypted) {
                    throw new Ec2Exception("OperationNotPermitted", "Encrypted snapshots with EBS default key cannot be shared");
                }
                snap.volumePermissionGroups.add("all");
            } else if (p.userId() != null) {
                snap.volumePermissionUsers.add(p.userId());
            }
        }
        for (CreateVolumePermission p : remove) {
            if (p.groupAsString() != null) {
                snap.volumePermissionGroups.remove(p.groupAsString());
            } else if (p.userId() != null) {
                snap.volumePermissionUsers.remove(p.userId());
            }
        }
        return ModifySnapshotAttributeResponse.builder().build();
    }

    private DescribeSnapshotAttributeResponse describeSnapshotAttribute(RegionState region, Map<String, String> form) {
        DescribeSnapshotAttributeRequest req = QueryBinder.bind(form, DescribeSnapshotAttributeRequest.builder());
        Model.SnapRec snap = findSnapshot(region, req.snapshotId());
        String attribute = require(req.attributeAsString(), "Attribute");
        DescribeSnapshotAttributeResponse.Builder b = DescribeSnapshotAttributeResponse.builder().snapshotId(snap.id);
        if ("createVolumePermission".equals(attribute)) {
            List<CreateVolumePermission> perms = new ArrayList<>();
            snap.volumePermissionGroups.forEach(g -> perms.add(CreateVolumePermission.builder().group(g).build()));
            snap.volumePermissionUsers.forEach(u -> perms.add(CreateVolumePermission.builder().userId(u).build()));
            b.createVolumePermissions(perms);
        } else if ("productCodes".equals(attribute)) {
            b.productCodes(List.of());
        } else {
            throw Ec2Exception.invalidParameterValue("Value (" + attribute + ") for parameter attribute is invalid.");
        }
        return b.build();
    }
}
