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

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.CreateSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsResponse;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifySnapshotAttributeResponse;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * EC2's side of snapshots: CreateSnapshot (from a volume, captured in the background), DescribeSnapshots,
 * DeleteSnapshot and the create-volume permissions. EBS direct writes and reads them in the {@code ebs} package.
 */
final class Snapshots extends ResourceHandlers {

    Snapshots(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateSnapshot", this::createSnapshot);
        actions.put("DescribeSnapshots", this::describeSnapshots);
        actions.put("DeleteSnapshot", this::deleteSnapshot);
        actions.put("ModifySnapshotAttribute", this::modifySnapshotAttribute);
        actions.put("DescribeSnapshotAttribute", this::describeSnapshotAttribute);
    }

    static Model.SnapRec find(RegionState region, String id) {
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
        Model.VolRec vol = Volumes.find(region, req.volumeId());
        if ("creating".equals(life.volumeState(vol))) {
            throw Ec2Exception.incorrectState("Volume " + vol.id + " is still being created");
        }
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "snapshot");
        Model.SnapRec snap = new Model.SnapRec(Ids.next("snap"), region.name, Instant.now());
        snap.ownerId = engine.accountId();
        snap.description = req.description() == null ? "" : req.description();
        snap.volumeId = vol.id;
        snap.sizeGiB = vol.sizeGiB;
        snap.encrypted = vol.encrypted;
        snap.kmsKeyId = vol.kmsKeyId;
        snap.completeAfter = engine.delays().snapshotCompletion();
        applyTagSpecs(req.tagSpecifications(), "snapshot", snap.tags);
        life.markNew(snap);
        region.snapshots.put(snap.id, snap);
        engine.content().captureVolume(snap, vol);
        Snapshot s = toSnapshot(snap);
        return CreateSnapshotResponse.builder().snapshotId(s.snapshotId()).volumeId(s.volumeId())
                .state(s.stateAsString()).startTime(s.startTime()).progress(s.progress()).ownerId(s.ownerId())
                .description(s.description()).volumeSize(s.volumeSize()).encrypted(s.encrypted())
                .kmsKeyId(s.kmsKeyId()).tags(s.tags()).build();
    }

    private Snapshot toSnapshot(Model.SnapRec snap) {
        String state = life.snapshotState(snap);
        Snapshot.Builder b = Snapshot.builder()
                .snapshotId(snap.id)
                .volumeId(snap.volumeId)
                .state(state)
                .startTime(snap.created)
                .progress(life.snapshotProgress(snap))
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

    /**
     * DescribeSnapshots as the calling account sees it: the owner every snapshot, another account the public ones
     * (not under block-all-sharing) and those shared with it, without their tags.
     */
    private DescribeSnapshotsResponse describeSnapshots(RegionState region, Map<String, String> form) {
        DescribeSnapshotsRequest req = QueryBinder.bind(form, DescribeSnapshotsRequest.builder());
        String caller = engine.caller();
        boolean owner = caller.equals(engine.accountId());
        Set<String> wanted = new LinkedHashSet<>(req.snapshotIds());
        for (String id : wanted) {
            Model.SnapRec snap = find(region, id);
            if (!visible(region, snap, caller) || LifeCycles.hiddenByConsistency(snap)) {
                throw new Ec2Exception("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
            }
        }
        List<Snapshot> out = new ArrayList<>();
        for (Model.SnapRec snap : region.snapshots.values()) {
            if (!wanted.isEmpty() && !wanted.contains(snap.id) || !visible(region, snap, caller)) {
                continue;
            }
            if (wanted.isEmpty() && LifeCycles.hiddenByConsistency(snap)) {
                continue;
            }
            if (!req.ownerIds().isEmpty() && req.ownerIds().stream()
                    .noneMatch(o -> o.equals(snap.ownerId) || o.equals("self") && owner)) {
                continue;
            }
            if (!req.restorableByUserIds().isEmpty() && req.restorableByUserIds().stream()
                    .noneMatch(u -> restorableBy(region, snap, u.equals("self") ? caller : u))) {
                continue;
            }
            Map<String, String> tags = owner ? snap.tags : Map.of();
            if (Filters.matches(req.filters(), tags, f -> snapshotAttribute(snap, f))) {
                Snapshot s = toSnapshot(snap);
                out.add(owner ? s : s.toBuilder().tags((List<Tag>) null).build());
            }
        }
        return DescribeSnapshotsResponse.builder().snapshots(out).build();
    }

    private boolean visible(RegionState region, Model.SnapRec snap, String caller) {
        return caller.equals(engine.accountId()) || restorableBy(region, snap, caller);
    }

    /** Whether the account may create volumes from it: its owner, an account it is shared with, anyone if public. */
    private static boolean restorableBy(RegionState region, Model.SnapRec snap, String account) {
        return account.equals(snap.ownerId) || snap.volumePermissionUsers.contains(account)
                || SnapshotPolicies.isPublic(region, snap);
    }

    private Collection<String> snapshotAttribute(Model.SnapRec snap, String filter) {
        return switch (filter) {
            case "snapshot-id" -> List.of(snap.id);
            case "status" -> List.of(life.snapshotState(snap));
            case "progress" -> List.of(life.snapshotProgress(snap));
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
        Model.SnapRec snap = find(region, req.snapshotId());
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
        Model.SnapRec snap = find(region, req.snapshotId());
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
                if (!snap.volumePermissionGroups.contains("all")) {
                    SnapshotPolicies.checkPublicSharing(region, snap);
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
        Model.SnapRec snap = find(region, req.snapshotId());
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
