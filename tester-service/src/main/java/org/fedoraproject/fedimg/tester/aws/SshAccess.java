package org.fedoraproject.fedimg.tester.aws;

import java.time.Duration;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Ipv6Range;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * The temporary access of an ssh run: a key pair whose private half never leaves this process (the
 * public half is imported, so no private key crosses the network), and a security group that opens
 * only the ssh port, only to the tester's own address. Both carry deterministic names (AMI + attempt)
 * and are looked up by name first, because neither call takes a ClientToken.
 */
@ApplicationScoped
public class SshAccess {

    private final AwsClients aws;
    private final TesterConfig config;

    SshAccess(AwsClients aws, TesterConfig config) {
        this.aws = aws;
        this.config = config;
    }

    /** Imports the public key under {@code name}, replacing a stale one of a dead process (whose private key is lost). */
    public Uni<Void> importKey(String region, String name, String openSshPublicKey, Map<String, String> tags) {
        return deleteKey(region, name)
                .chain(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).importKeyPair(b -> b.keyName(name)
                        .publicKeyMaterial(SdkBytes.fromUtf8String(openSshPublicKey))
                        .tagSpecifications(Ec2Tags.spec(ResourceType.KEY_PAIR, tags)))))
                .replaceWithVoid();
    }

    public Uni<Void> deleteKey(String region, String name) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).deleteKeyPair(b -> b.keyName(name)))
                .onFailure(t -> AwsErrors.isNotFound(t)).recoverWithNull()
                .replaceWithVoid();
    }

    /** The group's id: the existing one of this name, or a new one with the single ingress rule. */
    public Uni<String> securityGroup(String region, String name, String cidr, Map<String, String> tags) {
        return findGroup(region, name)
                .onItem().ifNull().switchTo(() -> vpcId(region).chain(vpc -> Uni.createFrom().completionStage(() -> aws.ec2(region)
                        .createSecurityGroup(b -> {
                            b.groupName(name)
                                    .description("fedimg tester: ssh from the tester only, deleted after the test")
                                    .tagSpecifications(Ec2Tags.spec(ResourceType.SECURITY_GROUP, tags));
                            if (vpc != null) {
                                b.vpcId(vpc);
                            }
                        }))
                        .map(r -> r.groupId())))
                .call(id -> allowSsh(region, id, cidr));
    }

    private Uni<Void> allowSsh(String region, String groupId, String cidr) {
        IpPermission rule = sshRule(config.ssh().port(), cidr);
        return Uni.createFrom().completionStage(() -> aws.ec2(region).authorizeSecurityGroupIngress(b -> b.groupId(groupId).ipPermissions(rule)))
                .onFailure(t -> AwsErrors.hasCode(t, "InvalidPermission.Duplicate")).recoverWithNull()
                .replaceWithVoid();
    }

    /** The one ingress rule: tcp on the ssh port from one source; EC2 takes IPv6 sources in their own list. */
    public static IpPermission sshRule(int port, String cidr) {
        IpPermission.Builder rule = IpPermission.builder().ipProtocol("tcp").fromPort(port).toPort(port);
        String why = "fedimg tester";
        return (cidr.contains(":")
                ? rule.ipv6Ranges(Ipv6Range.builder().cidrIpv6(cidr).description(why).build())
                : rule.ipRanges(IpRange.builder().cidrIp(cidr).description(why).build())).build();
    }

    private Uni<String> findGroup(String region, String name) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeSecurityGroups(b -> b.filters(Ec2Tags.filter("group-name", name))))
                .map(r -> r.securityGroups().stream().findFirst().map(g -> g.groupId()).orElse(null));
    }

    /** The configured subnet's VPC; null (the default VPC) without a subnet. */
    private Uni<String> vpcId(String region) {
        if (config.subnetId().isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeSubnets(b -> b.subnetIds(config.subnetId().get())))
                .map(r -> r.subnets().isEmpty() ? null : r.subnets().get(0).vpcId());
    }

    /** Deletes a group; while a terminating instance still holds it EC2 says DependencyViolation, so that is retried. */
    public Uni<Void> deleteGroup(String region, String groupId, Duration patience) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).deleteSecurityGroup(b -> b.groupId(groupId)))
                .replaceWithVoid()
                .onFailure(t -> AwsErrors.hasCode(t, "DependencyViolation"))
                .retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(15)).expireIn(patience.toMillis())
                .onFailure(t -> AwsErrors.isNotFound(t)).recoverWithNull();
    }
}
