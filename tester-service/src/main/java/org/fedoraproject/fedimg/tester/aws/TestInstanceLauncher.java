package org.fedoraproject.fedimg.tester.aws;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.TestAttempts;
import org.fedoraproject.fedimg.tester.domain.TestInstanceTypes;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;

/**
 * RunInstances for one attempt. The ClientToken comes from region, AMI and attempt, so sending it again
 * (redelivery, retry, restart) returns the instance of the first call. IMDSv2 is required, the instance
 * terminates itself on shutdown (a script that powers off leaves nothing behind), and the instance and
 * its volumes are tagged at creation, atomically, so nothing exists untagged even for a moment.
 */
@ApplicationScoped
public class TestInstanceLauncher {

    /** How often to look for an instance a mismatch proved: EC2 lists new instances within seconds. */
    private static final int LISTING_LOOKS = 10;

    private final AwsClients aws;
    private final TesterConfig config;

    TestInstanceLauncher(AwsClients aws, TesterConfig config) {
        this.aws = aws;
        this.config = config;
    }

    /**
     * @param virtualizationType and {@code instanceStore} pick the instance type ({@link TestInstanceTypes}): EC2
     *     launches paravirtual and instance-store AMIs only on Xen types
     */
    public record Launch(String region, String amiId, String architecture, String virtualizationType,
            boolean instanceStore, int attempt, String userData, String keyName, List<String> extraSecurityGroups,
            Map<String, String> tags) {
    }

    public TestInstanceTypes types() {
        return new TestInstanceTypes(config.instanceTypes(), config.paravirtualInstanceType(),
                config.instanceStoreInstanceType());
    }

    /**
     * The instance an attempt's RunInstances made, whoever sent it: after IdempotentParameterMismatch (another
     * tester launched the attempt with its own expiry tag, or the configuration changed) it tells which.
     */
    public Uni<Optional<Instance>> launchedBy(String region, String amiId, int attempt) {
        String token = TestAttempts.clientToken(region, amiId, attempt);
        // the mismatch proves the instance exists: until EC2's listings show it (eventual consistency), look again
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(b -> b.filters(
                        Ec2Tags.filter("client-token", token))))
                .map(r -> r.reservations().stream().flatMap(res -> res.instances().stream()).findFirst()
                        .orElseThrow(NotListedYet::new))
                .onFailure(NotListedYet.class).retry().withBackOff(config.timeouts().pollInterval())
                .atMost(LISTING_LOOKS)
                .map(Optional::of)
                .onFailure(NotListedYet.class).recoverWithItem(Optional.empty());
    }

    private static final class NotListedYet extends RuntimeException {
        NotListedYet() {
            super("not listed yet", null, false, false);
        }
    }

    public Uni<Instance> launch(Launch l) {
        String type = types().choose(l.architecture(), l.virtualizationType(), l.instanceStore()).orElse(null);
        if (type == null) {
            return Uni.createFrom().failure(new IllegalStateException("no instance type configured for "
                    + l.architecture() + "/" + l.virtualizationType() + (l.instanceStore() ? "/instance-store" : "")
                    + ": " + TestInstanceTypes.keyFor(l.virtualizationType(), l.instanceStore())));
        }
        List<String> groups = new ArrayList<>(config.securityGroupIds().orElse(List.of()));
        groups.addAll(l.extraSecurityGroups());
        RunInstancesRequest.Builder b = RunInstancesRequest.builder()
                .imageId(l.amiId())
                .instanceType(type)
                .minCount(1)
                .maxCount(1)
                .clientToken(TestAttempts.clientToken(l.region(), l.amiId(), l.attempt()))
                .metadataOptions(InstanceMetadataOptionsRequest.builder()
                        .httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
                        .build())
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                .tagSpecifications(l.instanceStore()
                        // an instance-store root makes no volume to tag
                        ? List.of(Ec2Tags.spec(ResourceType.INSTANCE, l.tags()))
                        : List.of(Ec2Tags.spec(ResourceType.INSTANCE, l.tags()), Ec2Tags.spec(ResourceType.VOLUME, l.tags())));
        config.subnetId().ifPresent(b::subnetId);
        if (!groups.isEmpty()) {
            b.securityGroupIds(groups);
        }
        if (l.userData() != null) {
            b.userData(Base64.getEncoder().encodeToString(l.userData().getBytes(StandardCharsets.UTF_8)));
        }
        if (l.keyName() != null) {
            b.keyName(l.keyName());
        }
        RunInstancesRequest request = b.build();
        // no capacity for the type in this zone right now: a semantic condition the SDK does not retry;
        // the same ClientToken is sent again, a failed call does not use it up
        return Uni.createFrom().completionStage(() -> aws.ec2(l.region()).runInstances(request))
                .onFailure(t -> AwsErrors.hasCode(t, "InsufficientInstanceCapacity"))
                .retry().withBackOff(config.timeouts().pollInterval(), Duration.ofMinutes(1)).withJitter(0.2)
                .expireIn(config.timeouts().running().toMillis())
                // a token sent again long after its instance was terminated: EC2 no longer lists it (null, gone)
                .map(r -> r.instances().isEmpty() ? null : r.instances().get(0));
    }
}
