package org.fedoraproject.fedimg.tester.aws;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * The two waits before a test can run, each with its own timeout from config: {@code running}, then both
 * status checks {@code ok}. The SDK waiters stop at whichever of wait timeout and attempts comes first, so
 * the attempts are derived from the timeout and the poll interval. A waiter that gives up fails the Uni;
 * the caller then asks for the instance's last state to say why.
 */
@ApplicationScoped
public class InstanceWaiters {

    private final AwsClients aws;
    private final TesterConfig config;
    private final ScheduledExecutorService scheduler;

    InstanceWaiters(AwsClients aws, TesterConfig config, @Named("waiters") ScheduledExecutorService scheduler) {
        this.aws = aws;
        this.config = config;
        this.scheduler = scheduler;
    }

    public Uni<Void> running(String region, String instanceId) {
        Duration limit = config.timeouts().running();
        return Aws.call(() -> waiter(region, limit).waitUntilInstanceRunning(b -> b.instanceIds(instanceId)))
                .map(r -> r.matched().exception().map(InstanceWaiters::<Void>rethrow).orElse(null))
                .replaceWithVoid();
    }

    public Uni<Void> statusOk(String region, String instanceId) {
        Duration limit = config.timeouts().statusOk();
        return Aws.call(() -> waiter(region, limit).waitUntilInstanceStatusOk(b -> b.instanceIds(instanceId)))
                .map(r -> r.matched().exception().map(InstanceWaiters::<Void>rethrow).orElse(null))
                .replaceWithVoid();
    }

    /** Until every instance is terminated, bounded by {@code limit}. */
    public Uni<Void> terminated(String region, java.util.List<String> instanceIds, Duration limit) {
        return Aws.call(() -> waiter(region, limit).waitUntilInstanceTerminated(b -> b.instanceIds(instanceIds)))
                .replaceWithVoid();
    }

    /** The instance as EC2 sees it now, or null when it is unknown. */
    public Uni<Instance> describe(String region, String instanceId) {
        return Aws.call(() -> aws.ec2(region).describeInstances(b -> b.instanceIds(instanceId)))
                .map(r -> r.reservations().stream().flatMap(res -> res.instances().stream()).findFirst().orElse(null))
                .onFailure(t -> Aws.hasCode(t, "InvalidInstanceID.NotFound")).recoverWithNull();
    }

    /** "system=…, instance=…" for the reason of a status-check failure. */
    public Uni<String> lastStatus(String region, String instanceId) {
        return Aws.call(() -> aws.ec2(region).describeInstanceStatus(b -> b.instanceIds(instanceId).includeAllInstances(true)))
                .map(r -> r.instanceStatuses().stream().findFirst().map(InstanceWaiters::describeStatus)
                        .orElse("no status reported"))
                .onFailure().recoverWithItem(t -> "unknown (" + t.getClass().getSimpleName() + ")");
    }

    private static String describeStatus(InstanceStatus s) {
        return "state=" + (s.instanceState() == null ? "?" : s.instanceState().nameAsString())
                + ", system=" + (s.systemStatus() == null ? "?" : s.systemStatus().statusAsString())
                + ", instance=" + (s.instanceStatus() == null ? "?" : s.instanceStatus().statusAsString());
    }

    private Ec2AsyncWaiter waiter(String region, Duration limit) {
        Duration poll = config.timeouts().pollInterval();
        int attempts = (int) Math.max(2, limit.toMillis() / Math.max(1, poll.toMillis()) + 1);
        return Ec2AsyncWaiter.builder()
                .client(aws.ec2(region))
                .scheduledExecutorService(scheduler)
                .overrideConfiguration(WaiterOverrideConfiguration.builder()
                        .waitTimeout(limit)
                        .maxAttempts(attempts)
                        .backoffStrategyV2(BackoffStrategy.fixedDelay(poll))
                        .build())
                .build();
    }

    private static <T> T rethrow(Throwable t) {
        throw t instanceof RuntimeException re ? re : new RuntimeException(t);
    }
}
