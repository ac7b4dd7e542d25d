package org.fedoraproject.fedimg.replicator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.support.Waiter;

/**
 * The replication settings as plain values, so the engine can be built without CDI (benchmarks, tests).
 * An empty {@code allow} list means every enabled region.
 */
public record ReplicationSettings(
        List<String> allow,
        List<String> deny,
        int parallelism,
        Duration regionDeadline,
        Waiter.Limits copyWait,
        Map<String, String> kmsKeys,
        List<String> shareWithAccounts,
        boolean disableBlockPublicAccess,
        Waiter.Limits unblockWait,
        Map<String, Duration> deprecation,
        boolean checkBlockPublicAccess) {

    public ReplicationSettings {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        kmsKeys = Map.copyOf(kmsKeys);
        shareWithAccounts = List.copyOf(shareWithAccounts);
        deprecation = Map.copyOf(deprecation);
        if (parallelism < 1) {
            throw new IllegalArgumentException("fedimg.replicator.copy.parallelism must be at least 1");
        }
    }

    public static ReplicationSettings from(ReplicatorConfig c) {
        return new ReplicationSettings(
                c.regions().allow().orElse(List.of()),
                c.regions().deny().orElse(List.of()),
                c.copy().parallelism(),
                c.copy().regionDeadline(),
                copyWait(c.copy().waiting()),
                c.encrypted().kmsKeys(),
                c.encrypted().shareWithAccounts().orElse(List.of()),
                c.blockPublicAccess().disableWhenOn(),
                Waiter.Limits.of(c.blockPublicAccess().maxAttempts(), c.blockPublicAccess().pollDelay()),
                c.deprecation(),
                c.blockPublicAccess().check());
    }

    /** A copy with another parallelism (the benchmark's sequential baseline). */
    public ReplicationSettings withParallelism(int p) {
        return new ReplicationSettings(allow, deny, p, regionDeadline, copyWait, kmsKeys, shareWithAccounts,
                disableBlockPublicAccess, unblockWait, deprecation, checkBlockPublicAccess);
    }

    private static Waiter.Limits copyWait(ReplicatorConfig.Wait w) {
        if (w.maxAttempts() < 1 || w.successesInARow() < 1) {
            throw new IllegalArgumentException(
                    "fedimg.replicator.copy.wait.max-attempts and .successes-in-a-row must be at least 1");
        }
        return Waiter.Limits.of(w.maxAttempts(), w.delay()).inARow(w.successesInARow());
    }
}
