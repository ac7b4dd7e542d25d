package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** VPCs and subnets, what an instance takes from its subnet, and two launch details that depend on request flags. */
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

    @Test
    void withoutLatestTheConsoleShowsTheUserDataOnlyOnceTheInstanceHasStopped() {
        String ami = registeredImage(US_EAST_1, "Fedora-console");
        String id = ec2().runInstances(InstancesTest.run(ami, "#!/bin/bash\necho console-line\n").build()).join()
                .instances().get(0).instanceId();
        await().atMost(Duration.ofSeconds(20)).until(() -> InstancesTest.console(id).contains("console-line"));
        assertThat(ec2().getConsoleOutput(b -> b.instanceId(id)).join().output()).as("buffered, while running")
                .isNull();
        ec2().terminateInstances(b -> b.instanceIds(id)).join();
        String buffered = ec2().getConsoleOutput(b -> b.instanceId(id)).join().output();
        assertThat(new String(Base64.getDecoder().decode(buffered), StandardCharsets.UTF_8)).contains("console-line");
    }

    @Test
    void imdsV2IsRequiredWhenAskedForOrWhenTheAmiSaysSo() {
        String v2 = registeredImage(US_EAST_1, "Fedora-imds-v2");
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, java.util.Map.of(0, Sdk.block(0)), java.util.Map.of());
        String plain = ec2().registerImage(Sdk.fedoraRegistration("Fedora-imds-any", snap).toBuilder()
                .imdsSupport((String) null).build()).join().imageId();
        assertThat(tokens(ec2().runInstances(InstancesTest.run(v2, null).build()).join().instances().get(0)))
                .isEqualTo("required");
        assertThat(tokens(ec2().runInstances(InstancesTest.run(plain, null).build()).join().instances().get(0)))
                .isEqualTo("optional");
        assertThat(tokens(ec2().runInstances(InstancesTest.run(plain, null)
                .metadataOptions(m -> m.httpTokens("required")).build()).join().instances().get(0)))
                .isEqualTo("required");
    }

    private static String tokens(Instance launched) {
        return ec2().describeInstances(b -> b.instanceIds(launched.instanceId())).join().reservations().get(0)
                .instances().get(0).metadataOptions().httpTokensAsString();
    }

    private static Instance launch(String ami, String subnet, String group) {
        String id = ec2().runInstances(InstancesTest.run(ami, null).subnetId(subnet).securityGroupIds(group).build())
                .join().instances().get(0).instanceId();
        return ec2().describeInstances(b -> b.instanceIds(id)).join().reservations().get(0).instances().get(0);
    }
}
