package org.fedoraproject.fedimg.tester.aws;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Conditions;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;

/**
 * The waits before a test can run, each within its own timeout from config and polled every
 * {@code timeouts.poll-interval}: {@code running}, then the status check {@code ok}; and, for cleanup, the
 * termination of the test instances. A wait that gives up fails the Uni; the caller then asks for the
 * instance's last state to say why. The instance was just launched, so "not found" is "not visible yet".
 */
@ApplicationScoped
public class InstanceWaits {

    private final AwsClients aws;
    private final TesterConfig config;

    InstanceWaits(AwsClients aws, TesterConfig config) {
        this.aws = aws;
        this.config = config;
    }

    public Uni<Void> running(String region, String instanceId) {
        return Waiter.await("instance " + instanceId + " in " + region,
                () -> describeInstances(region, List.of(instanceId)).map(l -> l.isEmpty() ? null : l.get(0)),
                Ec2Conditions.INSTANCE_RUNNING, within(config.timeouts().running())).replaceWithVoid();
    }

    public Uni<Void> statusOk(String region, String instanceId) {
        return Waiter.await("instance " + instanceId + " in " + region,
                () -> Uni.createFrom().completionStage(() -> aws.ec2(region)
                        .describeInstanceStatus(b -> b.instanceIds(instanceId)))
                        .map(r -> r.instanceStatuses().isEmpty() ? null : r.instanceStatuses().get(0))
                        .onFailure(AwsErrors::isNotFound).recoverWithNull(),
                Ec2Conditions.INSTANCE_STATUS_OK, within(config.timeouts().statusOk())).replaceWithVoid();
    }

    /** Until every instance is terminated (or gone), bounded by {@code limit}. */
    public Uni<Void> terminated(String region, List<String> instanceIds, Duration limit) {
        return Waiter.await("instances " + instanceIds + " in " + region, () -> describeInstances(region, instanceIds),
                Ec2Conditions.INSTANCE_TERMINATED.forAll(), within(limit)).replaceWithVoid();
    }

    /** The instance as EC2 sees it now, or null when it is unknown. */
    public Uni<Instance> describe(String region, String instanceId) {
        return describeInstances(region, List.of(instanceId)).map(l -> l.isEmpty() ? null : l.get(0));
    }

    /** "system=…, instance=…" for the reason of a status-check failure. */
    public Uni<String> lastStatus(String region, String instanceId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstanceStatus(b -> b.instanceIds(instanceId).includeAllInstances(true)))
                .map(r -> r.instanceStatuses().stream().findFirst().map(InstanceWaits::describeStatus)
                        .orElse("no status reported"))
                .onFailure().recoverWithItem(t -> "unknown (" + t.getClass().getSimpleName() + ")");
    }

    private static String describeStatus(InstanceStatus s) {
        return "state=" + (s.instanceState() == null ? "?" : s.instanceState().nameAsString())
                + ", system=" + (s.systemStatus() == null ? "?" : s.systemStatus().statusAsString())
                + ", instance=" + (s.instanceStatus() == null ? "?" : s.instanceStatus().statusAsString());
    }

    /** The instances EC2 knows of these; none when one of them is unknown (one unknown id fails the whole call). */
    private Uni<List<Instance>> describeInstances(String region, List<String> instanceIds) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(b -> b.instanceIds(instanceIds)))
                .map(r -> r.reservations().stream().flatMap(res -> res.instances().stream()).toList())
                .onFailure(AwsErrors::isNotFound).recoverWithItem(List.of());
    }

    private Waiter.Limits within(Duration limit) {
        return Waiter.Limits.within(limit, config.timeouts().pollInterval());
    }
}
