package org.fedoraproject.fedimg.emulator.ec2;

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
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.StateReason;

/**
 * DescribeImages as the calling account sees it: ids, owners, executable users, filters, IncludeDeprecated and
 * IncludeDisabled, and the Image model the SDK reads. The owner sees all its AMIs; another account the public
 * ones and those shared with it, deprecated ones only when it asks for them.
 */
final class ImageDescriptions extends ResourceHandlers {

    ImageDescriptions(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeImages", this::describeImages);
    }

    private DescribeImagesResponse describeImages(RegionState region, Map<String, String> form) {
        DescribeImagesRequest req = QueryBinder.bind(form, DescribeImagesRequest.builder());
        String caller = engine.caller();
        List<Image> out = new ArrayList<>();
        Set<String> wanted = new LinkedHashSet<>(req.imageIds());
        for (String id : wanted) {
            if (!Images.AMI_ID.matcher(id).matches()) {
                throw new Ec2Exception("InvalidAMIID.Malformed", "Invalid id: \"" + id + "\" (expecting \"ami-...\")");
            }
            Model.AmiRec ami = region.images.get(id);
            if (ami == null || !Consumers.canLaunch(engine, ami, caller) || LifeCycles.hiddenByConsistency(ami)) {
                throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
            }
        }
        for (Model.AmiRec ami : region.images.values()) {
            if (!wanted.isEmpty() && !wanted.contains(ami.id) || !Consumers.canLaunch(engine, ami, caller)) {
                continue;
            }
            if (wanted.isEmpty() && ami.hiddenDescribes > 0) {
                ami.hiddenDescribes--;
                continue;
            }
            if (wanted.isEmpty() && !listed(req, ami, caller)) {
                continue;
            }
            if (!req.owners().isEmpty() && !ownerMatches(req.owners(), caller)) {
                continue;
            }
            if (!req.executableUsers().isEmpty() && !executableBy(req.executableUsers(), ami, caller)) {
                continue;
            }
            // Tags stay with the owner's account: another account neither sees nor filters by them.
            Map<String, String> tags = caller.equals(engine.accountId()) ? ami.tags : Map.of();
            if (!Filters.matches(req.filters(), tags, f -> imageAttribute(ami, f))) {
                continue;
            }
            out.add(toImage(ami, caller));
        }
        return DescribeImagesResponse.builder().images(out).build();
    }

    /**
     * Whether a listing (no ImageIds) shows the image: disabled AMIs only with IncludeDisabled, and deprecated
     * ones, for anyone but their owner, only with IncludeDeprecated (EC2 User Guide, "Deprecate an AMI" and
     * "Disable an AMI"). Asked for by id, both are described.
     */
    private boolean listed(DescribeImagesRequest req, Model.AmiRec ami, String caller) {
        if (ami.disabled && !Boolean.TRUE.equals(req.includeDisabled())) {
            return false;
        }
        boolean deprecated = ami.deprecationTime != null && !Instant.now().isBefore(ami.deprecationTime);
        return !deprecated || caller.equals(engine.accountId()) || Boolean.TRUE.equals(req.includeDeprecated());
    }

    /** Owners: {@code self} (the caller), account ids, or an alias ({@code amazon}, ...) that no image here has. */
    private boolean ownerMatches(List<String> owners, String caller) {
        String owner = engine.accountId();
        return owners.stream().anyMatch(o -> o.equals(owner) || o.equals("self") && caller.equals(owner));
    }

    /**
     * ExecutableUsers, as the API Reference defines it: {@code all} for public AMIs; {@code self} or the caller's
     * own id for AMIs shared with the caller; another account id for AMIs shared with that account.
     */
    private static boolean executableBy(List<String> users, Model.AmiRec ami, String caller) {
        for (String user : users) {
            if (user.equals("all") ? ami.isPublic() : ami.launchUsers.contains(user.equals("self") ? caller : user)) {
                return true;
            }
        }
        return false;
    }

    private Collection<String> imageAttribute(Model.AmiRec ami, String filter) {
        return switch (filter) {
            case "name" -> List.of(ami.name);
            case "image-id" -> List.of(ami.id);
            case "state" -> List.of(life.imageState(ami));
            case "owner-id" -> List.of(engine.accountId());
            case "owner-alias" -> List.of();
            case "deprecation-time" -> ami.deprecationTime == null ? List.of()
                    : List.of(Ec2Xml.timestamp(ami.deprecationTime));
            case "architecture" -> List.of(ami.architecture);
            case "description" -> Filters.of(ami.description);
            case "is-public" -> List.of(String.valueOf(ami.isPublic()));
            case "image-type" -> List.of("machine");
            case "root-device-type" -> List.of(ami.rootDeviceType());
            case "manifest-location" -> Filters.of(ami.imageLocation);
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

    /** Why a failed image failed: a bundle refused while it was reassembled, or a failed copy. */
    static StateReason stateReason(Model.AmiRec ami) {
        if (ami.instanceStoreRoot != null && ami.instanceStoreRoot.failure != null) {
            return StateReason.builder().code(InstanceStoreImages.STATE_REASON)
                    .message(InstanceStoreImages.STATE_REASON + ": " + ami.instanceStoreRoot.failure).build();
        }
        return StateReason.builder().code("Server.InternalError").message("Server.InternalError: Internal error: the "
                + "copy of " + ami.sourceImageId + " from " + ami.sourceRegion + " failed").build();
    }

    /** The Image model; tags, deregistration protection and the last launch only for the owner. */
    private Image toImage(Model.AmiRec ami, String caller) {
        String state = life.imageState(ami);
        Image.Builder b = Image.builder()
                .imageId(ami.id)
                .imageLocation(ami.imageLocation != null ? ami.imageLocation : engine.accountId() + "/" + ami.name)
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
                .rootDeviceType(ami.rootDeviceType())
                .sriovNetSupport(ami.sriovNetSupport)
                .virtualizationType(ami.virtualizationType)
                .bootMode(ami.bootMode)
                .tpmSupport(ami.tpmSupport)
                .imdsSupport(ami.imdsSupport)
                .sourceImageId(ami.sourceImageId)
                .sourceImageRegion(ami.sourceRegion);
        if (ami.deprecationTime != null) {
            b.deprecationTime(Ec2Xml.timestamp(ami.deprecationTime));
        }
        if (caller.equals(engine.accountId())) {
            if (!ami.tags.isEmpty()) {
                b.tags(tags(ami.tags));
            }
            b.deregistrationProtection(LifeCycles.deregistrationProtection(ami));
            if (ami.lastLaunchedTime != null) {
                b.lastLaunchedTime(Ec2Xml.timestamp(ami.lastLaunchedTime));
            }
        }
        if ("failed".equals(state)) {
            b.stateReason(stateReason(ami));
        }
        return b.build();
    }
}
