package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** VPCs and subnets, and what an instance takes from its subnet. */
class NetworkTest extends EmulatorTest {

    @Test
    void everyRegionHasADefaultVpcWithADefaultSubnetPerZone() {
        var vpcs = ec2().describeVpcs().join().vpcs();
        assertThat(vpcs).singleElement().satisfies(v -> {
            assertThat(v.isDefault()).isTrue();
            assertThat(v.cidrBlock()).isEqualTo("172.31.0.0/16");
        });
        var subnets = ec2().describeSubnets(b -> b.filters(Filter.builder().name("default-for-az").values("true")
                .build())).join().subnets();
        assertThat(subnets).extracting(Subnet::availabilityZone).contains("us-east-1a", "us-east-1b");
        assertThat(subnets).allSatisfy(s -> {
            assertThat(s.vpcId()).isEqualTo(vpcs.get(0).vpcId());
            assertThat(s.cidrBlock()).matches("172\\.31\\.\\d+\\.0/20");
            assertThat(s.mapPublicIpOnLaunch()).isTrue();
        });
        assertThat(subnets).extracting(Subnet::cidrBlock).doesNotHaveDuplicates();
    }

    @Test
    void anInstanceInANewSubnetTakesItsVpcAndAPrivateAddressFromItsRange() {
        String ami = registeredImage(US_EAST_1, "Fedora-subnet");
        String vpc = ec2().createVpc(b -> b.cidrBlock("10.20.0.0/16").tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.VPC).tags(Tag.builder().key("Name").value("test").build()).build()))
                .join().vpc().vpcId();
        Subnet subnet = ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.20.5.0/28").availabilityZone("us-east-1b"))
                .join().subnet();
        assertThat(subnet.availableIpAddressCount()).isEqualTo(11);
        assertThat(ec2().describeSubnets(b -> b.subnetIds(subnet.subnetId())).join().subnets().get(0).vpcId())
                .isEqualTo(vpc);
        assertThat(ec2().describeVpcs(b -> b.vpcIds(vpc)).join().vpcs().get(0).tags())
                .extracting(Tag::value).containsExactly("test");

        String group = ec2().createSecurityGroup(b -> b.groupName("ssh").description("in the new vpc").vpcId(vpc))
                .join().groupId();
        Instance first = launch(ami, subnet.subnetId(), group);
        Instance second = launch(ami, subnet.subnetId(), group);
        assertThat(first.vpcId()).isEqualTo(vpc);
        assertThat(first.subnetId()).isEqualTo(subnet.subnetId());
        assertThat(first.placement().availabilityZone()).isEqualTo("us-east-1b");
        // the first four addresses of a subnet are AWS's
        assertThat(first.privateIpAddress()).isEqualTo("10.20.5.4");
        assertThat(second.privateIpAddress()).isEqualTo("10.20.5.5");
        assertThat(first.publicIpAddress()).as("no public address outside a default subnet").isNull();
        assertThat(aws.inspect().instance(US_EAST_1, first.instanceId()).orElseThrow().vpcId()).isEqualTo(vpc);

        ec2().terminateInstances(b -> b.instanceIds(first.instanceId())).join();
        assertThat(launch(ami, subnet.subnetId(), group).privateIpAddress()).as("a terminated instance's address is free")
                .isEqualTo("10.20.5.4");
        assertThat(ec2().describeSubnets(b -> b.subnetIds(subnet.subnetId())).join().subnets().get(0)
                .availableIpAddressCount()).isEqualTo(9);

        // without groups, the instance gets its VPC's default group
        Instance plain = ec2().runInstances(InstancesTest.run(ami, null).subnetId(subnet.subnetId()).build()).join()
                .instances().get(0);
        assertThat(ec2().describeSecurityGroups(b -> b.groupIds(plain.securityGroups().get(0).groupId())).join()
                .securityGroups().get(0)).satisfies(g -> {
                    assertThat(g.groupName()).isEqualTo("default");
                    assertThat(g.vpcId()).isEqualTo(vpc);
                });
    }

    @Test
    void aGroupOfAnotherVpcIsRefusedAndBadNetworksAreErrors() {
        String ami = registeredImage(US_EAST_1, "Fedora-mismatch");
        String vpc = ec2().createVpc(b -> b.cidrBlock("10.30.0.0/24")).join().vpc().vpcId();
        String subnet = ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.30.0.0/28")).join().subnet().subnetId();
        String inDefaultVpc = ec2().createSecurityGroup(b -> b.groupName("ssh").description("default vpc")).join()
                .groupId();
        assertAwsError(() -> launch(ami, subnet, inDefaultVpc), "InvalidParameter")
                .hasMessageContaining("belong to different networks");
        // the same name may exist once per VPC
        ec2().createSecurityGroup(b -> b.groupName("ssh").description("new vpc").vpcId(vpc)).join();

        assertAwsError(() -> ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.30.0.0/28")).join(),
                "InvalidSubnet.Conflict");
        assertAwsError(() -> ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("10.31.0.0/28")).join(),
                "InvalidSubnet.Range");
        assertAwsError(() -> ec2().createSubnet(b -> b.vpcId("vpc-0123456789abcdef0").cidrBlock("10.30.0.16/28"))
                .join(), "InvalidVpcID.NotFound");
        assertAwsError(() -> ec2().createVpc(b -> b.cidrBlock("10.0.0.0/8")).join(), "InvalidVpc.Range");
        assertAwsError(() -> ec2().createVpc(b -> b.cidrBlock("10.0.0.1/16")).join(), "InvalidParameterValue");
        assertAwsError(() -> ec2().describeSubnets(b -> b.subnetIds("subnet-0123456789abcdef0")).join(),
                "InvalidSubnetID.NotFound");
        assertAwsError(() -> ec2().createSecurityGroup(b -> b.groupName("x").description("x")
                .vpcId("vpc-0123456789abcdef0")).join(), "InvalidVpcID.NotFound");
        assertAwsError(() -> ec2().runInstances(InstancesTest.run(ami, null).subnetId("subnet-0123456789abcdef0")
                .build()).join(), "InvalidSubnetID.NotFound");
    }

    private static Instance launch(String ami, String subnet, String group) {
        String id = ec2().runInstances(InstancesTest.run(ami, null).subnetId(subnet).securityGroupIds(group).build())
                .join().instances().get(0).instanceId();
        return ec2().describeInstances(b -> b.instanceIds(id)).join().reservations().get(0).instances().get(0);
    }
}
