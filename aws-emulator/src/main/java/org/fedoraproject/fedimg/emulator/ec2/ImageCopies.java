package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.CopyImageResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * CopyImage, called in the destination region: the copy and its snapshots stay pending for the copy delay,
 * share the source's blocks, and fail there when the fault says so. An instance-store AMI's bundle is copied
 * into the account's AMI bucket of the destination region ({@link InstanceStoreImages#copyBundle}).
 */
final class ImageCopies extends ResourceHandlers {

    private final InstanceStoreImages bundles;

    ImageCopies(Engine engine) {
        super(engine);
        this.bundles = new InstanceStoreImages(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CopyImage", this::copyImage);
    }

    private CopyImageResponse copyImage(RegionState dest, Map<String, String> form) {
        CopyImageRequest req = QueryBinder.bind(form, CopyImageRequest.builder());
        String sourceRegionName = require(req.sourceRegion(), "SourceRegion");
        String sourceId = require(req.sourceImageId(), "SourceImageId");
        String name = require(req.name(), "Name");
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Requests.replayed(dest, "CopyImage", req.clientToken(), fingerprint);
        if (earlier != null) {
            return CopyImageResponse.builder().imageId(earlier).build();
        }
        RegionState source = engine.region(sourceRegionName);
        Model.AmiRec src = Images.find(source, sourceId);
        String srcState = life.imageState(src);
        if (!"available".equals(srcState)) {
            throw Ec2Exception.incorrectState("Image " + sourceId + " is not in the available state (it is "
                    + srcState + ")");
        }
        Images.checkName(name);
        Images.checkDuplicateName(dest, name);
        ImageQuotas.checkNewAmi(engine, dest);
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "image", "snapshot");
        boolean encrypt = Boolean.TRUE.equals(req.encrypted());
        if (encrypt && src.instanceStoreRoot != null) {
            throw new Ec2Exception("InvalidParameterCombination", "Encryption is not supported for instance "
                    + "store-backed AMIs: they have no snapshots (" + src.id + ")");
        }
        if (req.kmsKeyId() != null && !encrypt) {
            throw new Ec2Exception("InvalidParameterDependency",
                    "The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }
        Instant now = Instant.now();
        Duration delay = engine.delays().copyAvailable();
        Model.AmiRec copy = new Model.AmiRec(Ids.next("ami"), dest.name, now);
        copy.name = name;
        copy.description = req.description() != null ? req.description() : src.description;
        copy.architecture = src.architecture;
        copy.rootDeviceName = src.rootDeviceName;
        copy.virtualizationType = src.virtualizationType;
        copy.kernelId = src.kernelId;
        copy.ramdiskId = src.ramdiskId;
        copy.enaSupport = src.enaSupport;
        copy.sriovNetSupport = src.sriovNetSupport;
        copy.bootMode = src.bootMode;
        copy.imdsSupport = src.imdsSupport;
        copy.tpmSupport = src.tpmSupport;
        copy.uefiData = src.uefiData;
        copy.sourceImageId = src.id;
        copy.sourceRegion = source.name;
        copy.availableAfter = delay;
        copy.failAfterDelay = engine.faults().copyImageFailsInto(dest.name);
        if (copy.failAfterDelay) {
            engine.faults().countInjected("CopyImage made to fail");
        }
        if (src.instanceStoreRoot != null) {
            bundles.copyBundle(src, copy);
        }
        for (BlockDeviceMapping m : src.blockDeviceMappings) {
            if (m.ebs() == null || m.ebs().snapshotId() == null) {
                copy.blockDeviceMappings.add(m);
                continue;
            }
            Model.SnapRec srcSnap = source.snapshots.get(m.ebs().snapshotId());
            Model.SnapRec snap = new Model.SnapRec(Ids.next("snap"), dest.name, now);
            snap.ownerId = engine.accountId();
            snap.description = "Copied for DestinationAmi " + copy.id + " from SourceAmi " + src.id + " for SourceSnapshot "
                    + m.ebs().snapshotId() + ". Task created on " + now.toEpochMilli() + ".";
            snap.volumeId = "vol-ffffffff";
            snap.sizeGiB = srcSnap != null ? srcSnap.sizeGiB : m.ebs().volumeSize();
            snap.encrypted = encrypt || (srcSnap != null && srcSnap.encrypted);
            snap.kmsKeyId = snap.encrypted ? (req.kmsKeyId() != null ? req.kmsKeyId() : engine.defaultEbsKey(dest.name))
                    : null;
            if (srcSnap != null) {
                snap.blocks.putAll(srcSnap.blocks);
            }
            snap.dataReadyAt = now;
            snap.completeAfter = delay;
            applyTagSpecs(req.tagSpecifications(), "snapshot", snap.tags);
            dest.snapshots.put(snap.id, snap);
            copy.ownSnapshots.add(snap.id);
            EbsBlockDevice.Builder ebs = m.ebs().toBuilder().snapshotId(snap.id).encrypted(snap.encrypted);
            ebs.kmsKeyId(snap.kmsKeyId);
            copy.blockDeviceMappings.add(m.toBuilder().ebs(ebs.build()).build());
        }
        if (Boolean.TRUE.equals(req.copyImageTags())) {
            copy.tags.putAll(src.tags);
        }
        applyTagSpecs(req.tagSpecifications(), "image", copy.tags);
        life.markNew(copy);
        dest.images.put(copy.id, copy);
        Requests.remember(dest, "CopyImage", req.clientToken(), fingerprint, copy.id);
        return CopyImageResponse.builder().imageId(copy.id).build();
    }
}
