package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
 * ModifyImageAttribute and DescribeImageAttribute: launch permissions (making an image public is checked
 * against block public access, the public AMI quota, its state and encryption), description, IMDS support and
 * the read-only attributes.
 */
final class ImageAttributes extends ResourceHandlers {

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
        boolean bpa = ImagePolicies.blockPublicAccess(engine, region);
        if (bpa) {
            throw new Ec2Exception("OperationNotPermitted", "You can't publicly share this AMI because image block "
                    + "public access is enabled for this account in " + region.name
                    + ". To publicly share the AMI, you must disable image block public access.");
        }
        if (engine.faults().publicAmiQuotaExceededIn(region.name)) {
            throw new Ec2Exception("ResourceLimitExceeded", "You have reached your quota of public AMIs in "
                    + region.name + ".");
        }
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
}
