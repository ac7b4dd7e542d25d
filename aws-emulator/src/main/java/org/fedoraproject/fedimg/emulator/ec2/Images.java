package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.nz;
import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotReturnCode;
import software.amazon.awssdk.services.ec2.model.DeregisterImageRequest;
import software.amazon.awssdk.services.ec2.model.DeregisterImageResponse;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.RegisterImageResponse;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * RegisterImage (from EBS snapshots, or from an instance-store bundle's manifest in S3, see
 * {@link InstanceStoreImages}) and DeregisterImage, and what the other image handlers share: finding an image by
 * id and the rules of AMI names.
 */
final class Images extends ResourceHandlers {

    private static final Pattern AMI_NAME = Pattern.compile("[A-Za-z0-9()\\[\\] ./\\-'@_]{3,128}");

    static final Pattern AMI_ID = Pattern.compile("ami-[0-9a-f]{8}([0-9a-f]{9})?");

    private final InstanceStoreImages bundles;

    Images(Engine engine) {
        super(engine);
        this.bundles = new InstanceStoreImages(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DeregisterImage", this::deregisterImage);
    }

    @Override
    void registerUnlocked(Map<String, Ec2Api.UnlockedHandler> actions) {
        actions.put("RegisterImage", this::registerImage);
    }

    /**
     * From snapshots, all under the lock; from a manifest, the request is checked under the lock, the bundle read
     * outside it, and the AMI created under it again.
     */
    private RegisterImageResponse registerImage(String regionName, Map<String, String> form) {
        RegisterImageRequest req = QueryBinder.bind(form, RegisterImageRequest.builder());
        boolean fromBundle = req.imageLocation() != null && !req.imageLocation().isEmpty();
        synchronized (engine) {
            RegionState region = engine.region(regionName);
            if (!fromBundle) {
                return registerImage(region, req, null);
            }
            checkRequest(region, req);
        }
        InstanceStoreImages.Bundle bundle = bundles.read(regionName, req.imageLocation());
        try {
            synchronized (engine) {
                return registerImage(engine.region(regionName), req, bundle);
            }
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private RegisterImageResponse registerImage(RegionState region, RegisterImageRequest req,
            InstanceStoreImages.Bundle bundle) {
        String name = checkRequest(region, req);
        List<BlockDeviceMapping> mappings = new ArrayList<>();
        for (BlockDeviceMapping m : req.blockDeviceMappings()) {
            mappings.add(validateMapping(region, m));
        }
        String rootDevice = req.rootDeviceName();
        if (bundle != null) {
            if (req.blockDeviceMappings().stream().anyMatch(m -> m.ebs() != null && m.ebs().snapshotId() != null)) {
                throw new Ec2Exception("InvalidParameterCombination", "An image registered from a manifest "
                        + "(ImageLocation) cannot have a snapshot in its block device mapping");
            }
        } else if (mappings.isEmpty()) {
            throw new Ec2Exception("InvalidBlockDeviceMapping",
                    "At least one block device mapping with an EBS snapshot is required");
        } else if (rootDevice == null) {
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
        // RegisterImage's documented default; an EBS registration keeps the emulator's hvm default
        String defaultVirtualization = bundle != null ? "paravirtual" : "hvm";
        if (!Set.of("i386", "x86_64", "arm64", "x86_64_mac", "arm64_mac").contains(arch)) {
            throw Ec2Exception.invalidParameterValue("Invalid value '" + arch + "' for architecture");
        }
        String virt = nz(req.virtualizationType(), defaultVirtualization);
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
        if (bundle != null) {
            bundles.register(ami, bundle, req.architectureAsString(), req.rootDeviceName());
        }
        life.markNew(ami);
        region.images.put(ami.id, ami);
        return RegisterImageResponse.builder().imageId(ami.id).build();
    }

    /**
     * Name, the AMIs quota (an instance-store AMI counts like any other) and tag specifications, checked before a
     * bundle is read and again before the AMI is made.
     */
    private String checkRequest(RegionState region, RegisterImageRequest req) {
        String name = require(req.name(), "Name");
        checkName(name);
        checkDuplicateName(region, name);
        ImageQuotas.checkNewAmi(engine, region);
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "image", "snapshot");
        return name;
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
            if (!"completed".equals(life.snapshotState(snap))) {
                throw Ec2Exception.incorrectState("Snapshot '" + snap.id + "' is not in the completed state (it is "
                        + life.snapshotState(snap) + ").");
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

    static void checkName(String name) {
        if (!AMI_NAME.matcher(name).matches()) {
            throw new Ec2Exception("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, "
                    + "and may contain letters, numbers, '(', ')', '.', '-', '/' and '_' : " + name);
        }
    }

    static void checkDuplicateName(RegionState region, String name) {
        for (Model.AmiRec other : region.images.values()) {
            if (other.name.equals(name)) {
                throw new Ec2Exception("InvalidAMIName.Duplicate", "AMI name " + name + " is already in use by AMI "
                        + other.id);
            }
        }
    }

    static Model.AmiRec find(RegionState region, String id) {
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

    private DeregisterImageResponse deregisterImage(RegionState region, Map<String, String> form) {
        DeregisterImageRequest req = QueryBinder.bind(form, DeregisterImageRequest.builder());
        Model.AmiRec ami = find(region, req.imageId());
        ImageLifecycle.checkDeregistrable(ami);
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
}
