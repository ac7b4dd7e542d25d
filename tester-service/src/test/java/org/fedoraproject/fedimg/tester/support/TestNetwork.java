package org.fedoraproject.fedimg.tester.support;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * A private subnet for the test instances, as a release engineer would give the tester: its own VPC, a
 * subnet that assigns no public addresses, and a security group of the operator's in that VPC. The ranges are
 * loopback ones, so an instance's private address reaches the local ssh server ({@link SshServerResource}
 * listens on all of the subnet's addresses). Starts after the emulator's reset ({@link #order()}).
 */
public class TestNetwork implements QuarkusTestResourceLifecycleManager {

    public static final String VPC_CIDR = "127.0.0.0/16";
    public static final String SUBNET_CIDR = "127.0.1.0/28";
    public static final String OPERATOR_GROUP = "release-eng-test-instances";
    private static volatile String vpcId;
    private static volatile String subnetId;
    private static volatile String groupId;

    /** The addresses EC2 hands out in the subnet: all but the first four and the last. */
    public static List<String> privateAddresses() {
        return IntStream.range(4, 15).mapToObj(i -> "127.0.1." + i).toList();
    }

    public static String vpcId() {
        return vpcId;
    }

    public static String subnetId() {
        return subnetId;
    }

    public static String operatorGroupId() {
        return groupId;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public Map<String, String> start() {
        try (Ec2AsyncClient ec2 = TestAmis.client(AwsEmulatorTestResource.emulator().endpoint(), TestAmis.REGION)) {
            vpcId = ec2.createVpc(b -> b.cidrBlock(VPC_CIDR)).join().vpc().vpcId();
            subnetId = ec2.createSubnet(b -> b.vpcId(vpcId).cidrBlock(SUBNET_CIDR)).join().subnet().subnetId();
            groupId = ec2.createSecurityGroup(b -> b.vpcId(vpcId).groupName(OPERATOR_GROUP)
                    .description("egress for the tester's instances")).join().groupId();
        }
        return Map.of(
                "fedimg.tester.subnet-id", subnetId,
                "fedimg.tester.security-group-ids", groupId,
                // no public address in this subnet: the tester must connect to the private one
                "fedimg.tester.ssh.address-type", "private");
    }

    @Override
    public void stop() {
    }
}
