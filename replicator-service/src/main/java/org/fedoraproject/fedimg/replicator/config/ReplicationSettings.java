package org.fedoraproject.fedimg.replicator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The replication settings as plain values, so the engine can be built without CDI (benchmarks, tests).
 * An empty {@code allow} list means every enabled region.
 */
public record ReplicationSettings(
        List<String> allow,
        List<String> deny,
        int parallelism,
        Duration regionDeadline,
        Duration waitDelay,
        int waitMaxAttempts,
        Map<String, String> kmsKeys,
        List<String> shareWithAccounts,
        boolean disableBlockPublicAccess,
        Duration unblockDelay,
        int unblockMaxAttempts,
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
        if (waitMaxAttempts < 1) {
            throw new IllegalArgumentException("fedimg.replicator.copy.wait.max-attempts must be at least 1");
        }
    }

    public static ReplicationSettings from(ReplicatorConfig c) {
        return new ReplicationSettings(
                c.regions().allow().orElse(List.of()),
                c.regions().deny().orElse(List.of()),
                c.copy().parallelism(),
                c.copy().regionDeadline(),
                c.copy().waiting().delay(),
                c.copy().waiting().maxAttempts(),
                c.encrypted().kmsKeys(),
                c.encrypted().shareWithAccounts().orElse(List.of()),
                c.blockPublicAccess().disableWhenOn(),
                c.blockPublicAccess().pollDelay(),
                c.blockPublicAccess().maxAttempts(),
                c.deprecation(),
                c.blockPublicAccess().check());
    }

    /** A copy with another parallelism (the benchmark's sequential baseline). */
    public ReplicationSettings withParallelism(int p) {
        return new ReplicationSettings(allow, deny, p, regionDeadline, waitDelay, waitMaxAttempts, kmsKeys,
                shareWithAccounts, disableBlockPublicAccess, unblockDelay, unblockMaxAttempts, deprecation,
                checkBlockPublicAccess);
    }
}
