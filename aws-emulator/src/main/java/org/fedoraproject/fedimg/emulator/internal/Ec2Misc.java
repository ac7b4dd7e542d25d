package org.fedoraproject.fedimg.emulator.internal;

import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.require;
import static org.fedoraproject.fedimg.emulator.internal.Ec2Support.tags;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.Regions;

import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressRequest;
import software.amazon.awssdk.services.ec2.model.AuthorizeSecurityGroupIngressResponse;
import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.CreateKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.CreateSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsResponse;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.DeleteKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupRequest;
import software.amazon.awssdk.services.ec2.model.DeleteSecurityGroupResponse;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeKeyPairsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeTagsResponse;
import software.amazon.awssdk.services.ec2.model.EnableEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.GetEbsEncryptionByDefaultResponse;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairRequest;
import software.amazon.awssdk.services.ec2.model.ImportKeyPairResponse;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.Region;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;

/** Regions and zones, tags, key pairs, security groups and EBS encryption defaults. */
final class Ec2Misc {

    private final Engine engine;

    Ec2Misc(Engine engine) {
        this.engine = engine;
    }

    void register(Map<String, Ec2Support.Handler> actions) {
        actions.put("DescribeRegions", this::describeRegions);
        actions.put("DescribeAvailabilityZones", this::describeAvailabilityZones);
        actions.put("CreateTags", this::createTags);
        actions.put("DeleteTags", this::deleteTags);
        actions.put("DescribeTags", this::describeTags);
        actions.put("CreateKeyPair", this::createKeyPair);
        actions.put("ImportKeyPair", this::importKeyPair);
        actions.put("DeleteKeyPair", this::deleteKeyPair);
        actions.put("DescribeKeyPairs", this::describeKeyPairs);
        actions.put("CreateSecurityGroup", this::createSecurityGroup);
        actions.put("DeleteSecurityGroup", this::deleteSecurityGroup);
        actions.put("AuthorizeSecurityGroupIngress", this::authorizeIngress);
        actions.put("DescribeSecurityGroups", this::describeSecurityGroups);
        actions.put("GetEbsEncryptionByDefault", (r, f) -> GetEbsEncryptionByDefaultResponse.builder()
                .ebsEncryptionByDefault(r.ebsEncryptionByDefault).sseType("none").build());
        actions.put("EnableEbsEncryptionByDefault", (r, f) -> {
            r.ebsEncryptionByDefault = true;
            return EnableEbsEncryptionByDefaultResponse.builder().ebsEncryptionByDefault(true).build();
        });
    }

    // ---- regions ----

    private DescribeRegionsResponse describeRegions(RegionState region, Map<String, String> form) {
        DescribeRegionsRequest req = QueryBinder.bind(form, DescribeRegionsRequest.builder());
        List<Region> out = new ArrayList<>();
        for (String name : engine.regionNames()) {
            if (!req.regionNames().isEmpty() && !req.regionNames().contains(name)) {
                continue;
            }
            String optIn = Regions.isOptIn(name) ? "opted-in" : "opt-in-not-required";
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "region-name" -> List.of(name);
                case "opt-in-status" -> List.of(optIn);
                case "endpoint" -> List.of("ec2." + name + ".amazonaws.com");
                default -> null;
            })) {
                out.add(Region.builder().regionName(name).endpoint("ec2." + name + ".amazonaws.com")
                        .optInStatus(optIn).build());
            }
        }
        for (String name : req.regionNames()) {
            if (!engine.regionNames().contains(name)) {
                throw new Ec2Exception("InvalidParameterValue", "Invalid region: " + name);
            }
        }
        return DescribeRegionsResponse.builder().regions(out).build();
    }

    private DescribeAvailabilityZonesResponse describeAvailabilityZones(RegionState region, Map<String, String> form) {
        DescribeAvailabilityZonesRequest req = QueryBinder.bind(form, DescribeAvailabilityZonesRequest.builder());
        List<AvailabilityZone> out = new ArrayList<>();
        int i = 1;
        String prefix = zoneIdPrefix(region.name);
        for (String zone : region.subnetsByZone.keySet()) {
            String zoneId = prefix + "-az" + i++;
            if (!req.zoneNames().isEmpty() && !req.zoneNames().contains(zone)) {
                continue;
            }
            if (!req.zoneIds().isEmpty() && !req.zoneIds().contains(zoneId)) {
                continue;
            }
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "zone-name" -> List.of(zone);
                case "zone-id" -> List.of(zoneId);
                case "state" -> List.of("available");
                case "region-name" -> List.of(region.name);
                case "zone-type" -> List.of("availability-zone");
                case "opt-in-status" -> List.of("opt-in-not-required");
                default -> null;
            })) {
                out.add(AvailabilityZone.builder().zoneName(zone).zoneId(zoneId).state("available")
                        .regionName(region.name).optInStatus("opt-in-not-required").groupName(region.name)
                        .networkBorderGroup(region.name).zoneType("availability-zone").messages(List.of()).build());
            }
        }
        return DescribeAvailabilityZonesResponse.builder().availabilityZones(out).build();
    }

    /** The zone id (use1-az1, ...) of a zone of the region, as DescribeAvailabilityZones lists it. */
    static String zoneId(RegionState region, String zone) {
        int i = new ArrayList<>(region.subnetsByZone.keySet()).indexOf(zone) + 1;
        return zoneIdPrefix(region.name) + "-az" + i;
    }

    private static String zoneIdPrefix(String region) {
        String[] parts = region.split("-");
        StringBuilder sb = new StringBuilder();
        sb.append(parts[0]);
        for (int i = 1; i < parts.length - 1; i++) {
            sb.append(parts[i].charAt(0));
        }
        return sb.append(parts[parts.length - 1]).toString();
    }

    // ---- tags ----

    private Map<String, String> tagsOf(RegionState region, String id) {
        Model.Resource r = resource(region, id);
        if (r == null) {
            String code = switch (id.contains("-") ? id.substring(0, id.indexOf('-')) : "") {
                case "ami" -> "InvalidAMIID.NotFound";
                case "snap" -> "InvalidSnapshot.NotFound";
                case "vol" -> "InvalidVolume.NotFound";
                case "i" -> "InvalidInstanceID.NotFound";
                case "sg" -> "InvalidGroup.NotFound";
                case "key" -> "InvalidKeyPair.NotFound";
                case "vpc" -> "InvalidVpcID.NotFound";
                case "subnet" -> "InvalidSubnetID.NotFound";
                default -> "InvalidID";
            };
            throw new Ec2Exception(code, "The ID '" + id + "' does not exist");
        }
        if (Engine.hiddenByConsistency(r)) {
            throw new Ec2Exception(id.startsWith("ami-") ? "InvalidAMIID.NotFound" : id.startsWith("i-")
                    ? "InvalidInstanceID.NotFound" : "InvalidID", "The ID '" + id + "' does not exist");
        }
        return r.tags;
    }

    static Model.Resource resource(RegionState region, String id) {
        if (id.startsWith("ami-")) {
            return region.images.get(id);
        } else if (id.startsWith("snap-")) {
            return region.snapshots.get(id);
        } else if (id.startsWith("vol-")) {
            return region.volumes.get(id);
        } else if (id.startsWith("i-")) {
            return region.instances.get(id);
        } else if (id.startsWith("sg-")) {
            return region.securityGroups.get(id);
        } else if (id.startsWith("vpc-")) {
            return region.vpcs.get(id);
        } else if (id.startsWith("subnet-")) {
            return region.subnets.get(id);
        } else if (id.startsWith("key-")) {
            return region.keyPairs.values().stream().filter(k -> k.id.equals(id)).findFirst().orElse(null);
        }
        return null;
    }

    private CreateTagsResponse createTags(RegionState region, Map<String, String> form) {
        CreateTagsRequest req = QueryBinder.bind(form, CreateTagsRequest.builder());
        if (req.resources().isEmpty()) {
            throw Ec2Exception.missingParameter("ResourceId");
        }
        List<Map<String, String>> targets = new ArrayList<>();
        for (String id : req.resources()) {
            targets.add(tagsOf(region, id));
        }
        for (Map<String, String> target : targets) {
            for (Tag t : req.tags()) {
                Ec2Support.putTag(target, t.key(), t.value());
            }
        }
        return CreateTagsResponse.builder().build();
    }

    private DeleteTagsResponse deleteTags(RegionState region, Map<String, String> form) {
        DeleteTagsRequest req = QueryBinder.bind(form, DeleteTagsRequest.builder());
        for (String id : req.resources()) {
            Map<String, String> target = tagsOf(region, id);
            if (req.tags().isEmpty()) {
                target.clear();
            }
            for (Tag t : req.tags()) {
                if (t.value() == null || t.value().equals(target.get(t.key()))) {
                    target.remove(t.key());
                }
            }
        }
        return DeleteTagsResponse.builder().build();
    }

    private DescribeTagsResponse describeTags(RegionState region, Map<String, String> form) {
        DescribeTagsRequest req = QueryBinder.bind(form, DescribeTagsRequest.builder());
        List<TagDescription> out = new ArrayList<>();
        List<Model.Resource> all = new ArrayList<>();
        all.addAll(region.images.values());
        all.addAll(region.snapshots.values());
        all.addAll(region.volumes.values());
        all.addAll(region.instances.values());
        all.addAll(region.securityGroups.values());
        all.addAll(region.keyPairs.values());
        for (Model.Resource r : all) {
            String type = resourceType(r);
            for (Map.Entry<String, String> tag : r.tags.entrySet()) {
                boolean match = Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                    case "resource-id" -> List.of(r.id);
                    case "resource-type" -> List.of(type);
                    case "key" -> List.of(tag.getKey());
                    case "value" -> List.of(tag.getValue());
                    default -> null;
                });
                if (match) {
                    out.add(TagDescription.builder().resourceId(r.id).resourceType(type).key(tag.getKey())
                            .value(tag.getValue()).build());
                }
            }
        }
        return DescribeTagsResponse.builder().tags(out).build();
    }

    private static String resourceType(Model.Resource r) {
        if (r instanceof Model.AmiRec) {
            return "image";
        } else if (r instanceof Model.SnapRec) {
            return "snapshot";
        } else if (r instanceof Model.VolRec) {
            return "volume";
        } else if (r instanceof Model.InstRec) {
            return "instance";
        } else if (r instanceof Model.SgRec) {
            return "security-group";
        }
        return "key-pair";
    }

    // ---- key pairs ----

    private CreateKeyPairResponse createKeyPair(RegionState region, Map<String, String> form) {
        CreateKeyPairRequest req = QueryBinder.bind(form, CreateKeyPairRequest.builder());
        String name = require(req.keyName(), "KeyName");
        checkKeyName(region, name);
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "key-pair");
        String type = req.keyTypeAsString() == null ? "rsa" : req.keyTypeAsString();
        if (req.keyFormatAsString() != null && !"pem".equals(req.keyFormatAsString())) {
            throw Ec2Exception.invalidParameterValue("Only the pem key format is supported by this emulator");
        }
        KeyMaterial.Generated key = switch (type) {
            case "rsa" -> KeyMaterial.rsa();
            case "ed25519" -> KeyMaterial.ed25519(name);
            default -> throw Ec2Exception.invalidParameterValue("Invalid key type " + type);
        };
        Model.KeyRec rec = new Model.KeyRec(Ids.next("key"), region.name, Instant.now());
        rec.name = name;
        rec.fingerprint = key.fingerprint();
        rec.keyType = type;
        rec.publicKey = key.publicKeyOpenSsh();
        applyTagSpecs(req.tagSpecifications(), "key-pair", rec.tags);
        region.keyPairs.put(name, rec);
        CreateKeyPairResponse.Builder b = CreateKeyPairResponse.builder().keyName(name).keyPairId(rec.id)
                .keyFingerprint(rec.fingerprint).keyMaterial(key.privateKeyPem());
        if (!rec.tags.isEmpty()) {
            b.tags(tags(rec.tags));
        }
        return b.build();
    }

    private static void checkKeyName(RegionState region, String name) {
        if (name.length() > 255) {
            throw Ec2Exception.invalidParameterValue("Key name is too long");
        }
        if (region.keyPairs.containsKey(name)) {
            throw new Ec2Exception("InvalidKeyPair.Duplicate", "The keypair already exists");
        }
    }

    private ImportKeyPairResponse importKeyPair(RegionState region, Map<String, String> form) {
        ImportKeyPairRequest req = QueryBinder.bind(form, ImportKeyPairRequest.builder());
        String name = require(req.keyName(), "KeyName");
        checkKeyName(region, name);
        require(req.publicKeyMaterial(), "PublicKeyMaterial");
        String[] imported = KeyMaterial.importPublicKey(req.publicKeyMaterial().asByteArray());
        Model.KeyRec rec = new Model.KeyRec(Ids.next("key"), region.name, Instant.now());
        rec.name = name;
        rec.keyType = imported[0];
        rec.fingerprint = imported[1];
        rec.publicKey = imported[2];
        applyTagSpecs(req.tagSpecifications(), "key-pair", rec.tags);
        region.keyPairs.put(name, rec);
        ImportKeyPairResponse.Builder b = ImportKeyPairResponse.builder().keyName(name).keyPairId(rec.id)
                .keyFingerprint(rec.fingerprint);
        if (!rec.tags.isEmpty()) {
            b.tags(tags(rec.tags));
        }
        return b.build();
    }

    private DeleteKeyPairResponse deleteKeyPair(RegionState region, Map<String, String> form) {
        DeleteKeyPairRequest req = QueryBinder.bind(form, DeleteKeyPairRequest.builder());
        Model.KeyRec removed = null;
        if (req.keyName() != null) {
            removed = region.keyPairs.remove(req.keyName());
        } else if (req.keyPairId() != null) {
            removed = region.keyPairs.values().stream().filter(k -> k.id.equals(req.keyPairId())).findFirst()
                    .orElse(null);
            if (removed != null) {
                region.keyPairs.remove(removed.name);
            }
        } else {
            throw Ec2Exception.missingParameter("KeyName");
        }
        // Like AWS: deleting a missing key pair succeeds.
        return DeleteKeyPairResponse.builder().returnValue(true)
                .keyPairId(removed == null ? null : removed.id).build();
    }

    private DescribeKeyPairsResponse describeKeyPairs(RegionState region, Map<String, String> form) {
        DescribeKeyPairsRequest req = QueryBinder.bind(form, DescribeKeyPairsRequest.builder());
        for (String name : req.keyNames()) {
            if (!region.keyPairs.containsKey(name)) {
                throw new Ec2Exception("InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist");
            }
        }
        List<KeyPairInfo> out = new ArrayList<>();
        for (Model.KeyRec k : region.keyPairs.values()) {
            if (!req.keyNames().isEmpty() && !req.keyNames().contains(k.name)) {
                continue;
            }
            if (!req.keyPairIds().isEmpty() && !req.keyPairIds().contains(k.id)) {
                continue;
            }
            if (Filters.matches(req.filters(), k.tags, f -> switch (f) {
                case "key-name" -> List.of(k.name);
                case "key-pair-id" -> List.of(k.id);
                case "fingerprint" -> List.of(k.fingerprint);
                default -> null;
            })) {
                KeyPairInfo.Builder b = KeyPairInfo.builder().keyPairId(k.id).keyName(k.name).keyType(k.keyType)
                        .keyFingerprint(k.fingerprint).createTime(k.created);
                if (Boolean.TRUE.equals(req.includePublicKey())) {
                    b.publicKey(k.publicKey);
                }
                if (!k.tags.isEmpty()) {
                    b.tags(tags(k.tags));
                }
                out.add(b.build());
            }
        }
        return DescribeKeyPairsResponse.builder().keyPairs(out).build();
    }

    // ---- security groups ----

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
        Ec2Support.validateTagSpecTypes(req.tagSpecifications(), "security-group");
        Model.SgRec sg = newGroup(region, name, description, vpc);
        applyTagSpecs(req.tagSpecifications(), "security-group", sg.tags);
        CreateSecurityGroupResponse.Builder b = CreateSecurityGroupResponse.builder().groupId(sg.id)
                .securityGroupArn(arn(region, sg));
        if (!sg.tags.isEmpty()) {
            b.tags(tags(sg.tags));
        }
        return b.build();
    }

    static Model.SgRec newGroup(RegionState region, String name, String description, String vpcId) {
        Model.SgRec sg = new Model.SgRec(Ids.next("sg"), region.name, Instant.now());
        sg.name = name;
        sg.description = description;
        sg.vpcId = vpcId;
        sg.egress.add(IpPermission.builder().ipProtocol("-1").ipRanges(IpRange.builder().cidrIp("0.0.0.0/0").build())
                .build());
        region.securityGroups.put(sg.id, sg);
        return sg;
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
                    || inst.terminatedAt != null && !"terminated".equals(engine.instanceState(inst))
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
        return java.util.Objects.equals(a.ipProtocol(), b.ipProtocol())
                && java.util.Objects.equals(a.fromPort(), b.fromPort())
                && java.util.Objects.equals(a.toPort(), b.toPort())
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
