package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;

/**
 * CreateSecurityGroup (in the default VPC without VpcId), DeleteSecurityGroup (not the default group, not in
 * use), AuthorizeSecurityGroupIngress and DescribeSecurityGroups.
 */
final class SecurityGroups extends ResourceHandlers {

    SecurityGroups(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateSecurityGroup", this::createSecurityGroup);
        actions.put("DeleteSecurityGroup", this::deleteSecurityGroup);
        actions.put("AuthorizeSecurityGroupIngress", this::authorizeIngress);
        actions.put("DescribeSecurityGroups", this::describeSecurityGroups);
    }

    private CreateSecurityGroupResponse createSecurityGroup(RegionState region, Map<String, String> form) {
        CreateSecurityGroupRequest req = QueryBinder.bind(form, CreateSecurityGroupRequest.builder());
        String name = require(req.groupName(), "GroupName");
        String description = require(req.description(), "GroupDescription");
        String vpc = req.vpcId() == null ? region.vpcId : req.vpcId();
        if (!region.vpcs.containsKey(vpc)) {
            throw new Ec2Exception("InvalidVpcID.NotFound", "The vpc ID '" + vpc + "' does not exist");
        }
        if (name.startsWith("sg-")) {
            throw Ec2Exception.invalidParameterValue("Group names may not be in the format sg-*");
        }
        for (Model.SgRec g : region.securityGroups.values()) {
            if (g.name.equals(name) && g.vpcId.equals(vpc)) {
                throw new Ec2Exception("InvalidGroup.Duplicate", "The security group '" + name
                        + "' already exists for VPC '" + vpc + "'");
            }
        }
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "security-group");
        Model.SgRec sg = region.newGroup(name, description, vpc);
        applyTagSpecs(req.tagSpecifications(), "security-group", sg.tags);
        CreateSecurityGroupResponse.Builder b = CreateSecurityGroupResponse.builder().groupId(sg.id)
                .securityGroupArn(arn(region, sg));
        if (!sg.tags.isEmpty()) {
            b.tags(tags(sg.tags));
        }
        return b.build();
    }

    private String arn(RegionState region, Model.SgRec sg) {
        return "arn:aws:ec2:" + region.name + ":" + engine.accountId() + ":security-group/" + sg.id;
    }

    private Model.SgRec findGroup(RegionState region, String id, String name) {
        if (id != null) {
            Model.SgRec sg = region.securityGroups.get(id);
            if (sg == null) {
                throw new Ec2Exception("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
            }
            return sg;
        }
        if (name == null) {
            throw Ec2Exception.missingParameter("GroupId");
        }
        return region.securityGroups.values().stream()
                .filter(g -> g.name.equals(name) && g.vpcId.equals(region.vpcId)).findFirst()
                .orElseThrow(() -> new Ec2Exception("InvalidGroup.NotFound", "The security group '" + name
                        + "' does not exist in default VPC '" + region.vpcId + "'"));
    }

    private DeleteSecurityGroupResponse deleteSecurityGroup(RegionState region, Map<String, String> form) {
        DeleteSecurityGroupRequest req = QueryBinder.bind(form, DeleteSecurityGroupRequest.builder());
        Model.SgRec sg = findGroup(region, req.groupId(), req.groupName());
        if (sg.isDefault) {
            throw new Ec2Exception("CannotDelete", "the specified group: \"" + sg.id
                    + "\" name: \"default\" cannot be deleted by a user");
        }
        for (Model.InstRec inst : region.instances.values()) {
            if (inst.terminatedAt == null && inst.securityGroupIds.contains(sg.id)
                    || inst.terminatedAt != null && !"terminated".equals(life.instanceState(inst))
                    && inst.securityGroupIds.contains(sg.id)) {
                throw new Ec2Exception("DependencyViolation", "resource " + sg.id + " has a dependent object");
            }
        }
        region.securityGroups.remove(sg.id);
        return DeleteSecurityGroupResponse.builder().returnValue(true).groupId(sg.id).build();
    }

    private AuthorizeSecurityGroupIngressResponse authorizeIngress(RegionState region, Map<String, String> form) {
        AuthorizeSecurityGroupIngressRequest req = QueryBinder.bind(form, AuthorizeSecurityGroupIngressRequest.builder());
        Model.SgRec sg = findGroup(region, req.groupId(), req.groupName());
        List<IpPermission> perms = new ArrayList<>(req.ipPermissions());
        if (req.ipProtocol() != null) {
            IpPermission.Builder p = IpPermission.builder().ipProtocol(req.ipProtocol()).fromPort(req.fromPort())
                    .toPort(req.toPort());
            if (req.cidrIp() != null) {
                p.ipRanges(IpRange.builder().cidrIp(req.cidrIp()).build());
            }
            perms.add(p.build());
        }
        if (perms.isEmpty()) {
            throw Ec2Exception.missingParameter("IpPermissions");
        }
        List<SecurityGroupRule> rules = new ArrayList<>();
        for (IpPermission p : perms) {
            String proto = p.ipProtocol();
            if (proto == null || !List.of("tcp", "udp", "icmp", "-1", "6", "17", "1", "icmpv6").contains(proto)) {
                throw Ec2Exception.invalidParameterValue("Invalid IP protocol: " + proto);
            }
            for (IpRange range : p.ipRanges()) {
                if (range.cidrIp() == null || !range.cidrIp().matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
                    throw new Ec2Exception("InvalidParameterValue", "CIDR block " + range.cidrIp() + " is malformed");
                }
                IpPermission single = p.toBuilder().ipRanges(range).ipv6Ranges(List.of()).prefixListIds(List.of())
                        .userIdGroupPairs(List.of()).build();
                boolean duplicate = sg.ingress.stream().anyMatch(existing -> sameRule(existing, single));
                if (duplicate) {
                    throw new Ec2Exception("InvalidPermission.Duplicate", "the specified rule \"peer: "
                            + range.cidrIp() + ", " + proto.toUpperCase() + ", from port: " + p.fromPort()
                            + ", to port: " + p.toPort() + ", ALLOW\" already exists");
                }
                sg.ingress.add(single);
                rules.add(SecurityGroupRule.builder().securityGroupRuleId(Ids.next("sgr")).groupId(sg.id)
                        .groupOwnerId(engine.accountId()).isEgress(false).ipProtocol(proto).fromPort(p.fromPort())
                        .toPort(p.toPort()).cidrIpv4(range.cidrIp()).description(range.description()).build());
            }
        }
        return AuthorizeSecurityGroupIngressResponse.builder().returnValue(true).securityGroupRules(rules).build();
    }

    private static boolean sameRule(IpPermission a, IpPermission b) {
        return Objects.equals(a.ipProtocol(), b.ipProtocol())
                && Objects.equals(a.fromPort(), b.fromPort())
                && Objects.equals(a.toPort(), b.toPort())
                && a.ipRanges().stream().map(IpRange::cidrIp).toList()
                        .equals(b.ipRanges().stream().map(IpRange::cidrIp).toList());
    }

    private DescribeSecurityGroupsResponse describeSecurityGroups(RegionState region, Map<String, String> form) {
        DescribeSecurityGroupsRequest req = QueryBinder.bind(form, DescribeSecurityGroupsRequest.builder());
        for (String id : req.groupIds()) {
            findGroup(region, id, null);
        }
        for (String name : req.groupNames()) {
            findGroup(region, null, name);
        }
        List<SecurityGroup> out = new ArrayList<>();
        for (Model.SgRec sg : region.securityGroups.values()) {
            if (!req.groupIds().isEmpty() && !req.groupIds().contains(sg.id)) {
                continue;
            }
            if (!req.groupNames().isEmpty() && !req.groupNames().contains(sg.name)) {
                continue;
            }
            if (Filters.matches(req.filters(), sg.tags, f -> switch (f) {
                case "group-id" -> List.of(sg.id);
                case "group-name" -> List.of(sg.name);
                case "vpc-id" -> List.of(sg.vpcId);
                case "description" -> List.of(sg.description);
                case "owner-id" -> List.of(engine.accountId());
                default -> null;
            })) {
                SecurityGroup.Builder b = SecurityGroup.builder().groupId(sg.id).groupName(sg.name)
                        .description(sg.description).vpcId(sg.vpcId).ownerId(engine.accountId())
                        .securityGroupArn(arn(region, sg)).ipPermissions(sg.ingress).ipPermissionsEgress(sg.egress);
                if (!sg.tags.isEmpty()) {
                    b.tags(tags(sg.tags));
                }
                out.add(b.build());
            }
        }
        return DescribeSecurityGroupsResponse.builder().securityGroups(out).build();
    }
}
