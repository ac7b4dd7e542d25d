package org.fedoraproject.fedimg.emulator.ec2;

import static org.fedoraproject.fedimg.emulator.ec2.Requests.require;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.applyTagSpecs;
import static org.fedoraproject.fedimg.emulator.ec2.TagRules.tags;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Cidr;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.CreateSubnetRequest;
import software.amazon.awssdk.services.ec2.model.CreateSubnetResponse;
import software.amazon.awssdk.services.ec2.model.CreateVpcRequest;
import software.amazon.awssdk.services.ec2.model.CreateVpcResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeVpcsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVpcsResponse;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Vpc;
import software.amazon.awssdk.services.ec2.model.VpcCidrBlockAssociation;
import software.amazon.awssdk.services.ec2.model.VpcCidrBlockState;

/**
 * VPCs and subnets: the default VPC of every region (172.31.0.0/16, a /20 per zone, public addresses on
 * launch) and the ones a test creates. Instances take their VPC and private address from their subnet,
 * and their security groups must be in that VPC (see {@link RunInstances}).
 */
final class Networks extends ResourceHandlers {

    Networks(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("CreateVpc", this::createVpc);
        actions.put("DescribeVpcs", this::describeVpcs);
        actions.put("CreateSubnet", this::createSubnet);
        actions.put("DescribeSubnets", this::describeSubnets);
    }

    private CreateVpcResponse createVpc(RegionState region, Map<String, String> form) {
        CreateVpcRequest req = QueryBinder.bind(form, CreateVpcRequest.builder());
        Cidr cidr = cidr(require(req.cidrBlock(), "CidrBlock"));
        if (cidr.prefix() < 16 || cidr.prefix() > 28) {
            throw new Ec2Exception("InvalidVpc.Range", "The CIDR '" + req.cidrBlock() + "' is invalid.");
        }
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "vpc");
        Model.VpcRec vpc = new Model.VpcRec(Ids.next("vpc"), region.name, Instant.now(), cidr, false);
        applyTagSpecs(req.tagSpecifications(), "vpc", vpc.tags);
        region.vpcs.put(vpc.id, vpc);
        region.defaultGroup(vpc, "default VPC security group");
        return CreateVpcResponse.builder().vpc(vpc(vpc)).build();
    }

    private DescribeVpcsResponse describeVpcs(RegionState region, Map<String, String> form) {
        DescribeVpcsRequest req = QueryBinder.bind(form, DescribeVpcsRequest.builder());
        for (String id : req.vpcIds()) {
            vpcOf(region, id);
        }
        List<Vpc> out = new ArrayList<>();
        for (Model.VpcRec v : region.vpcs.values()) {
            if (!req.vpcIds().isEmpty() && !req.vpcIds().contains(v.id)) {
                continue;
            }
            if (Filters.matches(req.filters(), v.tags, f -> switch (f) {
                case "vpc-id" -> List.of(v.id);
                case "is-default" -> List.of(String.valueOf(v.isDefault));
                case "cidr", "cidr-block-association.cidr-block" -> List.of(v.cidr.toString());
                case "state" -> List.of("available");
                case "owner-id" -> List.of(engine.accountId());
                default -> null;
            })) {
                out.add(vpc(v));
            }
        }
        return DescribeVpcsResponse.builder().vpcs(out).build();
    }

    private CreateSubnetResponse createSubnet(RegionState region, Map<String, String> form) {
        CreateSubnetRequest req = QueryBinder.bind(form, CreateSubnetRequest.builder());
        Model.VpcRec vpc = vpcOf(region, require(req.vpcId(), "VpcId"));
        Cidr cidr = cidr(require(req.cidrBlock(), "CidrBlock"));
        if (cidr.prefix() < 16 || cidr.prefix() > 28 || !vpc.cidr.contains(cidr)) {
            throw new Ec2Exception("InvalidSubnet.Range", "The CIDR '" + req.cidrBlock() + "' is invalid.");
        }
        for (Model.SubnetRec other : region.subnets.values()) {
            if (other.vpcId.equals(vpc.id) && other.cidr.overlaps(cidr)) {
                throw new Ec2Exception("InvalidSubnet.Conflict", "The CIDR '" + req.cidrBlock()
                        + "' conflicts with another subnet");
            }
        }
        String zone = req.availabilityZone() == null ? region.defaultZone() : req.availabilityZone();
        if (!region.subnetsByZone.containsKey(zone)) {
            throw Ec2Exception.invalidParameterValue("Value (" + zone + ") for parameter availabilityZone is invalid. "
                    + "Subnets can currently only be created in the following availability zones: "
                    + String.join(", ", region.subnetsByZone.keySet()) + ".");
        }
        TagRules.validateTagSpecTypes(req.tagSpecifications(), "subnet");
        Model.SubnetRec subnet = new Model.SubnetRec(Ids.next("subnet"), region.name, Instant.now(), vpc.id, cidr,
                zone, false);
        applyTagSpecs(req.tagSpecifications(), "subnet", subnet.tags);
        region.subnets.put(subnet.id, subnet);
        return CreateSubnetResponse.builder().subnet(subnet(region, subnet)).build();
    }

    private DescribeSubnetsResponse describeSubnets(RegionState region, Map<String, String> form) {
        DescribeSubnetsRequest req = QueryBinder.bind(form, DescribeSubnetsRequest.builder());
        for (String id : req.subnetIds()) {
            if (!region.subnets.containsKey(id)) {
                throw new Ec2Exception("InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
            }
        }
        List<Subnet> out = new ArrayList<>();
        for (Model.SubnetRec s : region.subnets.values()) {
            if (!req.subnetIds().isEmpty() && !req.subnetIds().contains(s.id)) {
                continue;
            }
            if (Filters.matches(req.filters(), s.tags, f -> switch (f) {
                case "subnet-id" -> List.of(s.id);
                case "vpc-id" -> List.of(s.vpcId);
                case "availability-zone" -> List.of(s.availabilityZone);
                case "availability-zone-id" -> List.of(RegionsAndZones.zoneId(region, s.availabilityZone));
                case "cidr-block", "cidr", "cidrBlock" -> List.of(s.cidr.toString());
                case "default-for-az", "defaultForAz" -> List.of(String.valueOf(s.defaultForAz));
                case "map-public-ip-on-launch" -> List.of(String.valueOf(s.mapPublicIpOnLaunch));
                case "state" -> List.of("available");
                case "owner-id" -> List.of(engine.accountId());
                default -> null;
            })) {
                out.add(subnet(region, s));
            }
        }
        return DescribeSubnetsResponse.builder().subnets(out).build();
    }

    private static Cidr cidr(String text) {
        Cidr cidr = Cidr.parse(text);
        if (cidr == null) {
            throw Ec2Exception.invalidParameterValue("Value (" + text + ") for parameter cidrBlock is invalid. "
                    + "This is not a valid CIDR block.");
        }
        return cidr;
    }

    private static Model.VpcRec vpcOf(RegionState region, String id) {
        Model.VpcRec vpc = region.vpcs.get(id);
        if (vpc == null) {
            throw new Ec2Exception("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
        }
        return vpc;
    }

    private Vpc vpc(Model.VpcRec v) {
        Vpc.Builder b = Vpc.builder().vpcId(v.id).state("available").cidrBlock(v.cidr.toString())
                .dhcpOptionsId("dopt-" + Ids.stableHex(v.region + "/dopt", 17)).instanceTenancy("default")
                .isDefault(v.isDefault).ownerId(engine.accountId())
                .cidrBlockAssociationSet(VpcCidrBlockAssociation.builder()
                        .associationId("vpc-cidr-assoc-" + Ids.stableHex(v.id, 17)).cidrBlock(v.cidr.toString())
                        .cidrBlockState(VpcCidrBlockState.builder().state("associated").build()).build());
        if (!v.tags.isEmpty()) {
            b.tags(tags(v.tags));
        }
        return b.build();
    }

    private Subnet subnet(RegionState region, Model.SubnetRec s) {
        long live = region.instances.values().stream().filter(i -> s.id.equals(i.subnetId))
                .filter(i -> !"terminated".equals(life.instanceState(i))).count();
        Subnet.Builder b = Subnet.builder().subnetId(s.id).vpcId(s.vpcId).state("available")
                .cidrBlock(s.cidr.toString()).availabilityZone(s.availabilityZone)
                .availabilityZoneId(RegionsAndZones.zoneId(region, s.availabilityZone))
                .availableIpAddressCount((int) (s.cidr.size() - 5 - live)).defaultForAz(s.defaultForAz)
                .mapPublicIpOnLaunch(s.mapPublicIpOnLaunch).assignIpv6AddressOnCreation(false)
                .ownerId(engine.accountId())
                .subnetArn("arn:aws:ec2:" + region.name + ":" + engine.accountId() + ":subnet/" + s.id);
        if (!s.tags.isEmpty()) {
            b.tags(tags(s.tags));
        }
        return b.build();
    }
}
