package org.fedoraproject.fedimg.emulator.internal;

import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.nz;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.require;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.tags;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.CopyImageResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotReturnCode;
import software.amazon.awssdk.services.ec2.model.DeregisterImageRequest;
import software.amazon.awssdk.services.ec2.model.DeregisterImageResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.DisableImageBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.DisableImageDeprecationRequest;
import software.amazon.awssdk.services.ec2.model.DisableImageDeprecationResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.EnableImageBlockPublicAccessRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageBlockPublicAccessResponse;
import software.amazon.awssdk.services.ec2.model.EnableImageDeprecationRequest;
import software.amazon.awssdk.services.ec2.model.EnableImageDeprecationResponse;
import software.amazon.awssdk.services.ec2.model.GetImageBlockPublicAccessStateRequest;
import software.amazon.awssdk.services.ec2.model.GetImageBlockPublicAccessStateResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermissionModifications;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.RegisterImageResponse;
import software.amazon.awssdk.services.ec2.model.StateReason;

/** RegisterImage, DescribeImages, CopyImage, launch permissions, deprecation and block public access. */
final class Ec2Images {

    private static final Pattern AMI_NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");
    private static final Pattern AMI_ID = Pattern.compile("ami-[0-9a-f]{8}([0-9a-f]{9})?");

    private final Engine engine;

    Ec2Images(Engine engine) {
        this.engine = engine;
    }

    void register(Map<String, Ec2Support.Handler> actions) {
        actions.put("RegisterImage", this::registerImage);
        actions.put("DescribeImages", this::describeImages);
        actions.put("DeregisterImage", this::deregisterImage);
        actions.put("CopyImage", this::copyImage);
        actions.put("ModifyImageAttribute", this::modifyImageAttribute);
        actions.put("DescribeImageAttribute", this::describeImageAttribute);
        actions.put("EnableImageDeprecation", this::enableImageDeprecation);
        actions.put("DisableImageDeprecation", this::disableImageDeprecation);
        actions.put("GetImageBlockPublicAccessState", this::getBpa);
        actions.put("EnableImageBlockPublicAccess", this::enableBpa);
        actions.put("DisableImageBlockPublicAccess", this::disableBpa);
    }

    // ---- RegisterImage ----

    private RegisterImageResponse registerImage(RegionState region, Map<String, String> form) {
        RegisterImageRequest req = QueryBinder.bind(form, RegisterImageRequest.builder());
        String name = require(req.name(), "Name");
        checkName(name);
        if (req.imageLocation() != null && !req.imageLocation().isEmpty()) {
            throw new Ec2Exception("InvalidParameterCombination",
                    "Registering from an S3 manifest (ImageLocation) is not supported by this emulator");
        }
        checkDuplicateName(region, name);
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "image", "snapshot");
        List<BlockDeviceMapping> mappings = new ArrayList<>();
        for (BlockDeviceMapping m : req.blockDeviceMappings()) {
            mappings.add(validateMapping(region, m));
        }
        String rootDevice = req.rootDeviceName();
        if (mappings.isEmpty()) {
            throw new Ec2Exception("InvalidBlockDeviceMapping",
                    "At least one block device mapping with an EBS snapshot is required");
        }
        if (rootDevice == null) {
            rootDevice = mappings.get(0).deviceName();
        } else {
            String root = rootDevice;
            if (mappings.stream().noneMatch(m -> root.equals(m.deviceName()) && m.ebs() != null
                    && m.ebs().snapshotId() != null)) {
                throw new Ec2Exception("InvalidBlockDeviceMapping",
                        "The root device name " + root + " does not match any block device mapping with a snapshot");
            }
        }
        String arch = nz(req.architectureAsString(), "x86_64");
        if (!Set.of("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac").contains(arch)) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + arch + "' for architecture");
        }
        String virt = nz(req.virtualizationType(), "hvm");
        if (!Set.of("hvm", "paravirtual").contains(virt)) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + virt + "' for virtualizationType");
        }
        String bootMode = req.bootModeAsString();
        if (bootMode != null && !Set.of("legacy-bios", "uefi", "uefi-preferred").contains(bootMode)) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + bootMode + "' for bootMode");
        }
        if ("v2.0".equals(req.tpmSupportAsString()) && !"uefi".equals(bootMode)) {
            throw Ec2Exception.invalidParameterValue("NitroTPM requires the boot mode to be uefi");
        }
        if (req.imdsSupportAsString() != null && !"v2.0".equals(req.imdsSupportAsString())) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + req.imdsSupportAsString() + "' for imdsSupport");
        }
        if (req.sriovNetSupport() != null && !"simple".equals(req.sriovNetSupport())) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + req.sriovNetSupport()
                    + "' for sriovNetSupport (only 'simple')");
        }
        Model.AmiRec ami = new Model.AmiRec(Ids.next("ami"), region.name, Instant.now());
        ami.name = name;
        ami.description = req.description();
        ami.architecture = arch;
        ami.rootDeviceName = rootDevice;
        ami.virtualizationType = virt;
        ami.kernelId = req.kernelId();
        ami.ramdiskId = req.ramdiskId();
        ami.enaSupport = req.enaSupport();
        ami.sriovNetSupport = req.sriovNetSupport();
        ami.bootMode = bootMode;
        ami.imdsSupport = req.imdsSupportAsString();
        ami.tpmSupport = req.tpmSupportAsString();
        ami.uefiData = req.uefiData();
        ami.billingProducts.addAll(req.billingProducts());
        ami.blockDeviceMappings.addAll(mappings);
        ami.availableAfter = engine.delays().imageAvailable();
        applyTagSpecs(req.tagSpecifications(), "image", ami.tags);
        // Tags for "snapshot" go on the snapshots the image refers to, as AWS does.
        for (BlockDeviceMapping m : mappings) {
            if (m.ebs() != null && m.ebs().snapshotId() != null) {
                applyTagSpecs(req.tagSpecifications(), "snapshot", region.snapshots.get(m.ebs().snapshotId()).tags);
            }
        }
        engine.markNew(ami);
        region.images.put(ami.id, ami);
        return RegisterImageResponse.builder().imageId(ami.id).build();
    }

    private BlockDeviceMapping validateMapping(RegionState region, BlockDeviceMapping m) {
        if (m.deviceName() == null || !m.deviceName().startsWith("/dev/")) {
            throw new Ec2Exception("InvalidBlockDeviceMapping", "Invalid device name " + m.deviceName());
        }
        EbsBlockDevice ebs = m.ebs();
        if (ebs == null) {
            return m;
        }
        EbsBlockDevice.Builder out = ebs.toBuilder();
        Model.SnapRec snap = null;
        if (ebs.snapshotId() != null) {
            snap = region.snapshots.get(ebs.snapshotId());
            if (snap == null) {
                throw new Ec2Exception("InvalidSnapshot.NotFound", "The snapshot '" + ebs.snapshotId() + "' does not exist.");
            }
            if (!"completed".equals(engine.snapshotState(snap))) {
                throw Ec2Exception.incorrectState("Snapshot '" + snap.id + "' is not in the completed state (it is "
                        + engine.snapshotState(snap) + ").");
            }
            if (ebs.volumeSize() == null) {
                out.volumeSize(snap.sizeGiB);
            } else if (ebs.volumeSize() < snap.sizeGiB) {
                throw new Ec2Exception("InvalidBlockDeviceMapping", "Volume of size " + ebs.volumeSize()
                        + "GB is smaller than snapshot '" + snap.id + "', expect size >= " + snap.sizeGiB + "GB");
            }
            if (Boolean.FALSE.equals(ebs.encrypted()) && snap.encrypted) {
                throw Ec2Exception.invalidParameterValue("The snapshot " + snap.id
                        + " is encrypted: the block device mapping cannot be unencrypted");
            }
            out.encrypted(ebs.encrypted() != null ? ebs.encrypted() : snap.encrypted);
            if (ebs.kmsKeyId() == null && snap.encrypted) {
                out.kmsKeyId(snap.kmsKeyId);
            }
        } else if (ebs.volumeSize() == null) {
            throw new Ec2Exception("InvalidBlockDeviceMapping",
                    "The block device mapping for " + m.deviceName() + " needs a snapshot or a volume size");
        }
        if (ebs.volumeTypeAsString() == null) {
            out.volumeType("standard");
        } else if (!Set.of("standard", "gp2", "gp3", "io1", "io2", "st1", "sc1").contains(ebs.volumeTypeAsString())) {
            throw Ec2Exception.invalidParameterValue("Value (" + ebs.volumeTypeAsString()
                    + ") for parameter volumeType is invalid.");
        }
        if (ebs.deleteOnTermination() == null) {
            out.deleteOnTermination(true);
        }
        if (ebs.kmsKeyId() != null && !Boolean.TRUE.equals(ebs.encrypted()) && (snap == null || !snap.encrypted)) {
            throw new Ec2Exception("InvalidParameterDependency",
                    "The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }
        return m.toBuilder().ebs(out.build()).build();
    }

    private static void checkName(String name) {
        if (!AMI_NAME.matcher(name).matches()) {
            throw new Ec2Exception("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, "
                    + "and may contain letters, numbers, '(', ')', '.', '-', '/' and '_' : " + name);
        }
    }

    private void checkDuplicateName(RegionState region, String name) {
        for (Model.AmiRec other : region.images.values()) {
            if (other.name.equals(name)) {
                throw new Ec2Exception("InvalidAMIName.Duplicate", "AMI name " + name + " is already in use by AMI "
                        + other.id);
            }
        }
    }

    // ---- DescribeImages ----

    private DescribeImagesResponse describeImages(RegionState region, Map<String, String> form) {
        DescribeImagesRequest req = QueryBinder.bind(form, DescribeImagesRequest.builder());
        List<Image> out = new ArrayList<>();
        Set<String> wanted = new LinkedHashSet<>(req.imageIds());
        for (String id : wanted) {
            if (!AMI_ID.matcher(id).matches()) {
                throw new Ec2Exception("InvalidAMIID.Malformed", "Invalid id: \"" + id + "\" (expecting \"ami-...\")");
            }
            Model.AmiRec ami = region.images.get(id);
            if (ami == null || Engine.hiddenByConsistency(ami)) {
                throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
            }
        }
        for (Model.AmiRec ami : region.images.values()) {
            if (!wanted.isEmpty() && !wanted.contains(ami.id)) {
                continue;
            }
            if (wanted.isEmpty() && ami.hiddenDescribes > 0) {
                ami.hiddenDescribes--;
                continue;
            }
            if (!req.owners().isEmpty() && !ownerMatches(req.owners(), ami)) {
                continue;
            }
            if (!req.executableUsers().isEmpty() && !executableBy(req.executableUsers(), ami)) {
                continue;
            }
            if (!Filters.matches(req.filters(), ami.tags, f -> imageAttribute(ami, f))) {
                continue;
            }
            out.add(toImage(ami));
        }
        return DescribeImagesResponse.builder().images(out).build();
    }

    private boolean ownerMatches(List<String> owners, Model.AmiRec ami) {
        for (String owner : owners) {
            if (owner.equals("self") || owner.equals(engine.accountId())) {
                return true;
            }
        }
        return false;
    }

    private boolean executableBy(List<String> users, Model.AmiRec ami) {
        for (String user : users) {
            if (user.equals("all") && ami.isPublic()) {
                return true;
            }
            if ((user.equals("self") || user.equals(engine.accountId()))
                    && (ami.isPublic() || ami.launchUsers.contains(engine.accountId()))) {
                return true;
            }
            if (ami.launchUsers.contains(user) || ami.isPublic() && !user.equals("all")) {
                return true;
            }
        }
        return false;
    }

    private Collection<String> imageAttribute(Model.AmiRec ami, String filter) {
        return switch (filter) {
            case "name" -> List.of(ami.name);
            case "image-id" -> List.of(ami.id);
            case "state" -> List.of(engine.imageState(ami));
            case "owner-id" -> List.of(engine.accountId());
            case "owner-alias" -> List.of();
            case "architecture" -> List.of(ami.architecture);
            case "description" -> Filters.of(ami.description);
            case "is-public" -> List.of(String.valueOf(ami.isPublic()));
            case "image-type" -> List.of("machine");
            case "root-device-type" -> List.of("ebs");
            case "root-device-name" -> List.of(ami.rootDeviceName);
            case "virtualization-type" -> List.of(ami.virtualizationType);
            case "hypervisor" -> List.of("xen");
            case "ena-support" -> Filters.of(ami.enaSupport);
            case "sriov-net-support" -> Filters.of(ami.sriovNetSupport);
            case "boot-mode" -> Filters.of(ami.bootMode);
            case "imds-support" -> Filters.of(ami.imdsSupport);
            case "tpm-support" -> Filters.of(ami.tpmSupport);
            case "kernel-id" -> Filters.of(ami.kernelId);
            case "platform-details" -> List.of("Linux/UNIX");
            case "source-image-id" -> Filters.of(ami.sourceImageId);
            case "source-image-region" -> Filters.of(ami.sourceRegion);
            case "block-device-mapping.snapshot-id" -> ami.blockDeviceMappings.stream()
                    .filter(m -> m.ebs() != null).map(m -> m.ebs().snapshotId()).filter(s -> s != null).toList();
            case "block-device-mapping.device-name" -> ami.blockDeviceMappings.stream().map(BlockDeviceMapping::deviceName).toList();
            case "block-device-mapping.volume-type" -> ami.blockDeviceMappings.stream()
                    .filter(m -> m.ebs() != null).map(m -> m.ebs().volumeTypeAsString()).toList();
            case "block-device-mapping.encrypted" -> ami.blockDeviceMappings.stream()
                    .filter(m -> m.ebs() != null).map(m -> String.valueOf(m.ebs().encrypted())).toList();
            case "block-device-mapping.volume-size" -> ami.blockDeviceMappings.stream()
                    .filter(m -> m.ebs() != null).map(m -> String.valueOf(m.ebs().volumeSize())).toList();
            case "creation-date" -> List.of(Ec2Xml.timestamp(ami.created));
            default -> null;
        };
    }

    Image toImage(Model.AmiRec ami) {
        String state = engine.imageState(ami);
        Image.Builder b = Image.builder()
                .imageId(ami.id)
                .imageLocation(engine.accountId() + "/" + ami.name)
                .state(state)
                .ownerId(engine.accountId())
                .creationDate(Ec2Xml.timestamp(ami.created))
                .publicLaunchPermissions(ami.isPublic())
                .architecture(ami.architecture)
                .imageType("machine")
                .kernelId(ami.kernelId)
                .ramdiskId(ami.ramdiskId)
                .platformDetails("Linux/UNIX")
                .usageOperation("RunInstances")
                .blockDeviceMappings(ami.blockDeviceMappings)
                .description(ami.description)
                .enaSupport(ami.enaSupport)
                .hypervisor("xen")
                .name(ami.name)
                .rootDeviceName(ami.rootDeviceName)
                .rootDeviceType("ebs")
                .sriovNetSupport(ami.sriovNetSupport)
                .virtualizationType(ami.virtualizationType)
                .bootMode(ami.bootMode)
                .tpmSupport(ami.tpmSupport)
                .imdsSupport(ami.imdsSupport)
                .deregistrationProtection(ami.deregistrationProtection ? "enabled" : "disabled")
                .sourceImageId(ami.sourceImageId)
                .sourceImageRegion(ami.sourceRegion);
        if (!ami.tags.isEmpty()) {
            b.tags(tags(ami.tags));
        }
        if (ami.deprecationTime != null) {
            b.deprecationTime(Ec2Xml.timestamp(ami.deprecationTime));
        }
        if ("failed".equals(state)) {
            b.stateReason(StateReason.builder().code("Server.InternalError")
                    .message("Server.InternalError: Internal error: the copy of " + ami.sourceImageId + " from "
                            + ami.sourceRegion + " failed")
                    .build());
        }
        return b.build();
    }

    Model.AmiRec find(RegionState region, String id) {
        require(id, "ImageId");
        if (!AMI_ID.matcher(id).matches()) {
            throw new Ec2Exception("InvalidAMIID.Malformed", "Invalid id: \"" + id + "\" (expecting \"ami-...\")");
        }
        Model.AmiRec ami = region.images.get(id);
        if (ami == null) {
            throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
        }
        return ami;
    }

    // ---- DeregisterImage ----

    private DeregisterImageResponse deregisterImage(RegionState region, Map<String, String> form) {
        DeregisterImageRequest req = QueryBinder.bind(form, DeregisterImageRequest.builder());
        Model.AmiRec ami = find(region, req.imageId());
        if (ami.deregistrationProtection) {
            throw new Ec2Exception("InvalidParameterValue", "The image " + ami.id
                    + " has deregistration protection enabled");
        }
        region.images.remove(ami.id);
        List<DeleteSnapshotReturnCode> deleted = new ArrayList<>();
        if (Boolean.TRUE.equals(req.deleteAssociatedSnapshots())) {
            for (BlockDeviceMapping m : ami.blockDeviceMappings) {
                if (m.ebs() != null && m.ebs().snapshotId() != null) {
                    String snapId = m.ebs().snapshotId();
                    boolean usedElsewhere = region.images.values().stream().anyMatch(o -> o.blockDeviceMappings
                            .stream().anyMatch(x -> x.ebs() != null && snapId.equals(x.ebs().snapshotId())));
                    if (!usedElsewhere && region.snapshots.remove(snapId) != null) {
                        deleted.add(DeleteSnapshotReturnCode.builder().snapshotId(snapId).returnCode("success").build());
                    }
                }
            }
        }
        DeregisterImageResponse.Builder b = DeregisterImageResponse.builder().returnValue(true);
        if (!deleted.isEmpty()) {
            b.deleteSnapshotResults(deleted);
        }
        return b.build();
    }

    // ---- CopyImage (called in the destination region) ----

    private CopyImageResponse copyImage(RegionState dest, Map<String, String> form) {
        CopyImageRequest req = QueryBinder.bind(form, CopyImageRequest.builder());
        String sourceRegionName = require(req.sourceRegion(), "SourceRegion");
        String sourceId = require(req.sourceImageId(), "SourceImageId");
        String name = require(req.name(), "Name");
        String fingerprint = String.valueOf(req.toBuilder().clientToken(null).build().hashCode());
        String earlier = Ec2Support.replayed(dest, "CopyImage", req.clientToken(), fingerprint);
        if (earlier != null) {
            return CopyImageResponse.builder().imageId(earlier).build();
        }
        RegionState source = engine.region(sourceRegionName);
        Model.AmiRec src = find(source, sourceId);
        String srcState = engine.imageState(src);
        if (!"available".equals(srcState)) {
            throw Ec2Exception.incorrectState("Image " + sourceId + " is not in the available state (it is "
                    + srcState + ")");
        }
        checkName(name);
        checkDuplicateName(dest, name);
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "image", "snapshot");
        boolean encrypt = Boolean.TRUE.equals(req.encrypted());
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
            snap.kmsKeyId = snap.encrypted ? (req.kmsKeyId() != null ? req.kmsKeyId() : defaultKmsKey(dest.name)) : null;
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
        engine.markNew(copy);
        dest.images.put(copy.id, copy);
        Ec2Support.remember(dest, "CopyImage", req.clientToken(), fingerprint, copy.id);
        return CopyImageResponse.builder().imageId(copy.id).build();
    }

    String defaultKmsKey(String region) {
        return "arn:aws:kms:" + region + ":" + engine.accountId() + ":alias/aws/ebs";
    }

    // ---- launch permissions ----

    private ModifyImageAttributeResponse modifyImageAttribute(RegionState region, Map<String, String> form) {
        ModifyImageAttributeRequest req = QueryBinder.bind(form, ModifyImageAttributeRequest.builder());
        Model.AmiRec ami = find(region, req.imageId());
        if (req.description() != null && req.description().value() != null) {
            ami.description = req.description().value();
            return ModifyImageAttributeResponse.builder().build();
        }
        if (req.imdsSupport() != null && req.imdsSupport().value() != null) {
            ami.imdsSupport = req.imdsSupport().value();
            return ModifyImageAttributeResponse.builder().build();
        }
        String attribute = req.attribute();
        if (attribute != null && !attribute.equals("launchPermission") && !attribute.equals("description")) {
            throw Ec2Exception.invalidParameterValue("Attribute " + attribute + " cannot be modified by this emulator");
        }
        List<LaunchPermission> add = new ArrayList<>();
        List<LaunchPermission> remove = new ArrayList<>();
        LaunchPermissionModifications mods = req.launchPermission();
        if (mods != null) {
            add.addAll(mods.add());
            remove.addAll(mods.remove());
        }
        if (req.operationType() != null) {
            List<LaunchPermission> target = "add".equals(req.operationTypeAsString()) ? add : remove;
            req.userGroups().forEach(g -> target.add(LaunchPermission.builder().group(g).build()));
            req.userIds().forEach(u -> target.add(LaunchPermission.builder().userId(u).build()));
        }
        if (add.isEmpty() && remove.isEmpty()) {
            throw Ec2Exception.missingParameter("LaunchPermission");
        }
        for (LaunchPermission p : add) {
            if (p.groupAsString() != null) {
                if (!"all".equals(p.groupAsString())) {
                    throw Ec2Exception.invalidParameterValue("Invalid launch permission group " + p.groupAsString());
                }
                makePublicChecks(region, ami);
            } else if (p.userId() != null && !p.userId().matches("\\d{12}")) {
                throw Ec2Exception.invalidParameterValue("Invalid user id " + p.userId());
            }
        }
        for (LaunchPermission p : add) {
            if (p.groupAsString() != null) {
                ami.launchGroups.add(p.groupAsString());
            } else if (p.userId() != null) {
                ami.launchUsers.add(p.userId());
            }
        }
        for (LaunchPermission p : remove) {
            if (p.groupAsString() != null) {
                ami.launchGroups.remove(p.groupAsString());
            } else if (p.userId() != null) {
                ami.launchUsers.remove(p.userId());
            }
        }
        return ModifyImageAttributeResponse.builder().build();
    }

    private void makePublicChecks(RegionState region, Model.AmiRec ami) {
        if (ami.isPublic()) {
            return;
        }
        boolean bpa = engine.faults().blockPublicAccessOverride(region.name).orElse(region.blockPublicAccess);
        if (bpa) {
            throw new Ec2Exception("OperationNotPermitted", "You can't publicly share this AMI because image block "
                    + "public access is enabled for this account in " + region.name
                    + ". To publicly share the AMI, you must disable image block public access.");
        }
        if (engine.faults().publicAmiQuotaExceededIn(region.name)) {
            throw new Ec2Exception("ResourceLimitExceeded", "You have reached your quota of public AMIs in "
                    + region.name + ".");
        }
        if (!"available".equals(engine.imageState(ami))) {
            throw Ec2Exception.incorrectState("Image " + ami.id + " is not in the available state");
        }
        for (BlockDeviceMapping m : ami.blockDeviceMappings) {
            if (m.ebs() != null && Boolean.TRUE.equals(m.ebs().encrypted())) {
                throw Ec2Exception.invalidParameterValue("Images with EBS-encrypted snapshots cannot be shared publicly ("
                        + ami.id + ")");
            }
        }
    }

    private DescribeImageAttributeResponse describeImageAttribute(RegionState region, Map<String, String> form) {
        DescribeImageAttributeRequest req = QueryBinder.bind(form, DescribeImageAttributeRequest.builder());
        Model.AmiRec ami = find(region, req.imageId());
        if (Engine.hiddenByConsistency(ami)) {
            throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + ami.id + "]' does not exist");
        }
        String attribute = require(req.attributeAsString(), "Attribute");
        DescribeImageAttributeResponse.Builder b = DescribeImageAttributeResponse.builder().imageId(ami.id);
        switch (attribute) {
            case "launchPermission" -> {
                List<LaunchPermission> perms = new ArrayList<>();
                ami.launchGroups.forEach(g -> perms.add(LaunchPermission.builder().group(g).build()));
                ami.launchUsers.forEach(u -> perms.add(LaunchPermission.builder().userId(u).build()));
                b.launchPermissions(perms);
            }
            case "description" -> b.description(attr(ami.description));
            case "kernel" -> b.kernelId(attr(ami.kernelId));
            case "ramdisk" -> b.ramdiskId(attr(ami.ramdiskId));
            case "sriovNetSupport" -> b.sriovNetSupport(attr(ami.sriovNetSupport));
            case "bootMode" -> b.bootMode(attr(ami.bootMode));
            case "tpmSupport" -> b.tpmSupport(attr(ami.tpmSupport));
            case "uefiData" -> b.uefiData(attr(ami.uefiData));
            case "imdsSupport" -> b.imdsSupport(attr(ami.imdsSupport));
            case "blockDeviceMapping" -> b.blockDeviceMappings(ami.blockDeviceMappings);
            case "deregistrationProtection" -> b.deregistrationProtection(attr(ami.deregistrationProtection
                    ? "enabled" : "disabled"));
            case "lastLaunchedTime" -> b.lastLaunchedTime(attr(null));
            case "productCodes" -> b.productCodes(List.of());
            default -> throw Ec2Exception.invalidParameterValue("Value (" + attribute
                    + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    private static AttributeValue attr(String value) {
        return AttributeValue.builder().value(value).build();
    }

    // ---- deprecation ----

    private EnableImageDeprecationResponse enableImageDeprecation(RegionState region, Map<String, String> form) {
        EnableImageDeprecationRequest req = QueryBinder.bind(form, EnableImageDeprecationRequest.builder());
        Model.AmiRec ami = find(region, req.imageId());
        Instant at = require(req.deprecateAt(), "DeprecateAt");
        if (at.isBefore(Instant.now().minusSeconds(60))) {
            throw Ec2Exception.invalidParameterValue("The deprecation time cannot be in the past");
        }
        if (at.isAfter(Instant.now().plus(Duration.ofDays(365 * 10 + 3)))) {
            throw Ec2Exception.invalidParameterValue("The deprecation time cannot be more than 10 years in the future");
        }
        // AWS rounds the deprecation time down to the minute.
        ami.deprecationTime = at.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        return EnableImageDeprecationResponse.builder().returnValue(true).build();
    }

    private DisableImageDeprecationResponse disableImageDeprecation(RegionState region, Map<String, String> form) {
        DisableImageDeprecationRequest req = QueryBinder.bind(form, DisableImageDeprecationRequest.builder());
        find(region, req.imageId()).deprecationTime = null;
        return DisableImageDeprecationResponse.builder().returnValue(true).build();
    }

    // ---- block public access ----

    private GetImageBlockPublicAccessStateResponse getBpa(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, GetImageBlockPublicAccessStateRequest.builder());
        boolean on = engine.faults().blockPublicAccessOverride(region.name).orElse(region.blockPublicAccess);
        return GetImageBlockPublicAccessStateResponse.builder()
                .imageBlockPublicAccessState(on ? "block-new-sharing" : "unblocked").managedBy("account").build();
    }

    private EnableImageBlockPublicAccessResponse enableBpa(RegionState region, Map<String, String> form) {
        EnableImageBlockPublicAccessRequest req = QueryBinder.bind(form, EnableImageBlockPublicAccessRequest.builder());
        if (!"block-new-sharing".equals(req.imageBlockPublicAccessStateAsString())) {
            throw Ec2Exception.invalidParameterValue("ImageBlockPublicAccessState must be block-new-sharing");
        }
        region.blockPublicAccess = true;
        return EnableImageBlockPublicAccessResponse.builder().imageBlockPublicAccessState("block-new-sharing").build();
    }

    private DisableImageBlockPublicAccessResponse disableBpa(RegionState region, Map<String, String> form) {
        QueryBinder.bind(form, DisableImageBlockPublicAccessRequest.builder());
        region.blockPublicAccess = false;
        return DisableImageBlockPublicAccessResponse.builder().imageBlockPublicAccessState("unblocked").build();
    }
}
