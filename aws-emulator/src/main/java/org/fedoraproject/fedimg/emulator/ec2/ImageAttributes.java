package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.emulator.http.Ec2Xml;
import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImageAttributeResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermissionModifications;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ModifyImageAttributeResponse;

/**
 * ModifyImageAttribute and DescribeImageAttribute: launch permissions for the public, accounts, organizations
 * and OUs (making an image public is checked against block public access, the public AMI quota, its state and
 * encryption; sharing against the AMI sharing quota; a disabled AMI cannot be shared), description, IMDS support
 * and the read-only attributes, {@code lastLaunchedTime} and {@code deregistrationProtection} among them.
 */
final class ImageAttributes extends ResourceHandlers {

    private static final Pattern ORGANIZATION = Pattern.compile(
            "arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}");
    private static final Pattern OU = Pattern.compile(
            "arn:aws[a-z-]*:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}");

    ImageAttributes(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("ModifyImageAttribute", this::modifyImageAttribute);
        actions.put("DescribeImageAttribute", this::describeImageAttribute);
    }

    private ModifyImageAttributeResponse modifyImageAttribute(RegionState region, Map<String, String> form) {
        ModifyImageAttributeRequest req = QueryBinder.bind(form, ModifyImageAttributeRequest.builder());
        Model.AmiRec ami = Images.find(region, req.imageId());
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
            req.organizationArns().forEach(o -> target.add(LaunchPermission.builder().organizationArn(o).build()));
            req.organizationalUnitArns().forEach(o -> target.add(LaunchPermission.builder()
                    .organizationalUnitArn(o).build()));
        }
        if (add.isEmpty() && remove.isEmpty()) {
            throw Ec2Exception.missingParameter("LaunchPermission");
        }
        add.forEach(ImageAttributes::validate);
        if (!add.isEmpty() && ami.disabled) {
            throw Ec2Exception.incorrectState("The image " + ami.id + " is disabled: a disabled AMI cannot be shared. "
                    + "Enable it first (EnableImage).");
        }
        if (add.stream().anyMatch(p -> p.groupAsString() != null) && !ami.isPublic()) {
            makePublicChecks(region, ami);
        }
        ImageQuotas.checkSharing(engine, region, ami, sharedAfter(ami, add, remove));
        apply(add, ami, true);
        apply(remove, ami, false);
        return ModifyImageAttributeResponse.builder().build();
    }

    private static void validate(LaunchPermission p) {
        if (p.groupAsString() != null && !"all".equals(p.groupAsString())) {
            throw Ec2Exception.invalidParameterValue("Invalid launch permission group " + p.groupAsString());
        }
        if (p.userId() != null && !p.userId().matches("\\d{12}")) {
            throw Ec2Exception.invalidParameterValue("Invalid user id " + p.userId());
        }
        if (p.organizationArn() != null && !ORGANIZATION.matcher(p.organizationArn()).matches()) {
            throw Ec2Exception.invalidParameterValue("Invalid organization ARN " + p.organizationArn());
        }
        if (p.organizationalUnitArn() != null && !OU.matcher(p.organizationalUnitArn()).matches()) {
            throw Ec2Exception.invalidParameterValue("Invalid organizational unit ARN " + p.organizationalUnitArn());
        }
    }

    /** How many accounts, organizations and OUs the AMI is shared with once the change is made. */
    private static int sharedAfter(Model.AmiRec ami, List<LaunchPermission> add, List<LaunchPermission> remove) {
        return after(ami.launchUsers, add, remove, LaunchPermission::userId)
                + after(ami.launchOrganizations, add, remove, LaunchPermission::organizationArn)
                + after(ami.launchOrganizationalUnits, add, remove, LaunchPermission::organizationalUnitArn);
    }

    private static int after(Set<String> current, List<LaunchPermission> add, List<LaunchPermission> remove,
            Function<LaunchPermission, String> entity) {
        Set<String> after = new HashSet<>(current);
        add.stream().map(entity).filter(Objects::nonNull).forEach(after::add);
        remove.stream().map(entity).filter(Objects::nonNull).forEach(after::remove);
        return after.size();
    }

    private static void apply(List<LaunchPermission> permissions, Model.AmiRec ami, boolean add) {
        for (LaunchPermission p : permissions) {
            change(ami.launchGroups, p.groupAsString(), add);
            change(ami.launchUsers, p.userId(), add);
            change(ami.launchOrganizations, p.organizationArn(), add);
            change(ami.launchOrganizationalUnits, p.organizationalUnitArn(), add);
        }
    }

    private static void change(Set<String> set, String value, boolean add) {
        if (value != null) {
            if (add) {
                set.add(value);
            } else {
                set.remove(value);
            }
        }
    }

    private void makePublicChecks(RegionState region, Model.AmiRec ami) {
        boolean bpa = ImagePolicies.blockPublicAccess(engine, region);
        if (bpa) {
            throw new Ec2Exception("OperationNotPermitted", "You can't publicly share this AMI because image block "
                    + "public access is enabled for this account in " + region.name
                    + ". To publicly share the AMI, you must disable image block public access.");
        }
        ImageQuotas.checkPublic(engine, region);
        if (!"available".equals(life.imageState(ami))) {
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
        Model.AmiRec ami = Images.find(region, req.imageId());
        if (LifeCycles.hiddenByConsistency(ami)) {
            throw new Ec2Exception("InvalidAMIID.NotFound", "The image id '[" + ami.id + "]' does not exist");
        }
        String attribute = require(req.attributeAsString(), "Attribute");
        DescribeImageAttributeResponse.Builder b = DescribeImageAttributeResponse.builder().imageId(ami.id);
        switch (attribute) {
            case "launchPermission" -> {
                List<LaunchPermission> perms = new ArrayList<>();
                ami.launchGroups.forEach(g -> perms.add(LaunchPermission.builder().group(g).build()));
                ami.launchUsers.forEach(u -> perms.add(LaunchPermission.builder().userId(u).build()));
                ami.launchOrganizations.forEach(o -> perms.add(LaunchPermission.builder().organizationArn(o).build()));
                ami.launchOrganizationalUnits.forEach(o -> perms.add(LaunchPermission.builder()
                        .organizationalUnitArn(o).build()));
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
            case "deregistrationProtection" -> b.deregistrationProtection(attr(
                    LifeCycles.deregistrationProtection(ami)));
            case "lastLaunchedTime" -> b.lastLaunchedTime(attr(ami.lastLaunchedTime == null ? null
                    : Ec2Xml.timestamp(ami.lastLaunchedTime)));
            case "productCodes" -> b.productCodes(List.of());
            default -> throw Ec2Exception.invalidParameterValue("Value (" + attribute
                    + ") for parameter attribute is invalid. Unknown attribute.");
        }
        return b.build();
    }

    private static AttributeValue attr(String value) {
        return AttributeValue.builder().value(value).build();
    }
}
