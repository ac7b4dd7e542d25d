package org.fedoraproject.fedimg.replicator.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.lifecycle.domain.RetentionPolicy;
import org.fedoraproject.fedimg.lifecycle.domain.Stream;
import org.fedoraproject.fedimg.lifecycle.domain.StreamKey;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication.ShareTargets;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication.Visibility;

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
        boolean checkBlockPublicAccess,
        Streams streams,
        QuotaSettings publicAmiQuota,
        List<StreamPublication> publications) {

    /** Every stream public in every (allowed) region: as before per-stream publication settings existed. */
    public ReplicationSettings(List<String> allow, List<String> deny, int parallelism, Duration regionDeadline,
            Waiter.Limits copyWait, Map<String, String> kmsKeys, List<String> shareWithAccounts,
            boolean disableBlockPublicAccess, Waiter.Limits unblockWait, Map<String, Duration> deprecation,
            boolean checkBlockPublicAccess, Streams streams, QuotaSettings publicAmiQuota) {
        this(allow, deny, parallelism, regionDeadline, copyWait, kmsKeys, shareWithAccounts, disableBlockPublicAccess,
                unblockWait, deprecation, checkBlockPublicAccess, streams, publicAmiQuota, List.of());
    }

    /**
     * The public AMI quota: configured for every region or per region, else read from Service Quotas
     * ({@code fallback} when that fails); {@code retry} rides out the count's eventual consistency after demotions.
     */
    public record QuotaSettings(OptionalLong value, Map<String, Long> regions, long fallback, Waiter.Limits retry) {
        public QuotaSettings {
            regions = Map.copyOf(regions);
        }

        public OptionalLong configured(String region) {
            Long r = regions.get(region);
            return r != null ? OptionalLong.of(r) : value;
        }

        /** AWS's default, read from Service Quotas, and the tests' fast retries. */
        public static QuotaSettings fromServiceQuotas() {
            return new QuotaSettings(OptionalLong.empty(), Map.of(), 5, Waiter.Limits.of(5, Duration.ofMillis(200)));
        }
    }

    public ReplicationSettings {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        kmsKeys = Map.copyOf(kmsKeys);
        shareWithAccounts = List.copyOf(shareWithAccounts);
        deprecation = Map.copyOf(deprecation);
        publications = List.copyOf(publications);
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
                c.blockPublicAccess().check(),
                streams(c.streams()),
                new QuotaSettings(c.publicAmiQuota().value(), c.publicAmiQuota().regions(), c.publicAmiQuota().fallback(),
                        Waiter.Limits.of(Math.max(1, c.publicAmiQuota().attempts()), c.publicAmiQuota().retryDelay())),
                publications(c.streams()));
    }

    /** Where and how each configured stream is published; the same names and classification as {@link #streams}. */
    public static List<StreamPublication> publications(Map<String, ReplicatorConfig.StreamConfig> config) {
        List<StreamPublication> all = new ArrayList<>();
        new TreeMap<>(config).forEach((name, s) -> {
            Visibility visibility = switch (s.visibility().trim().toLowerCase()) {
                case "public" -> Visibility.PUBLIC;
                case "shared" -> Visibility.SHARED;
                default -> throw new IllegalArgumentException("fedimg.replicator.streams." + name + ".visibility: '"
                        + s.visibility() + "' is neither public nor shared");
            };
            all.add(new StreamPublication(new StreamKey(name, s.composeType(), s.release()), s.regions(), visibility,
                    new ShareTargets(s.shareWith().accounts().orElse(List.of()), s.shareWith().organizations().orElse(List.of()),
                            s.shareWith().organizationalUnits().orElse(List.of()))));
        });
        return all;
    }

    /** Where and how an AMI of this compose is published: its stream's settings, else public in every region. */
    public StreamPublication publication(String composeType, String release) {
        return StreamPublication.of(publications, composeType, release);
    }

    /** The configured streams as the lifecycle domain's; releases (production) are never demoted unless said. */
    public static Streams streams(Map<String, ReplicatorConfig.StreamConfig> config) {
        List<Stream> all = new ArrayList<>();
        new TreeMap<>(config).forEach((name, s) -> all.add(new Stream(name, s.composeType(), s.release(),
                new RetentionPolicy(s.keepPublic(), s.publicFor(), s.privateAfter(), s.disableAfter(), s.deregisterAfter(),
                        s.unlaunchedFor(), s.demote().orElse(!"production".equalsIgnoreCase(s.composeType()))))));
        return new Streams(all);
    }

    /** A copy with another parallelism (the benchmark's sequential baseline). */
    public ReplicationSettings withParallelism(int p) {
        return new ReplicationSettings(allow, deny, p, regionDeadline, copyWait, kmsKeys, shareWithAccounts,
                disableBlockPublicAccess, unblockWait, deprecation, checkBlockPublicAccess, streams, publicAmiQuota, publications);
    }

    /** A copy with other streams and quota settings (tests, the simulated year). */
    public ReplicationSettings withLifecycle(Streams s, QuotaSettings q) {
        return new ReplicationSettings(allow, deny, parallelism, regionDeadline, copyWait, kmsKeys, shareWithAccounts,
                disableBlockPublicAccess, unblockWait, deprecation, checkBlockPublicAccess, s, q, publications);
    }

    /** A copy with other per-stream publication settings (tests). */
    public ReplicationSettings withPublications(List<StreamPublication> p) {
        return new ReplicationSettings(allow, deny, parallelism, regionDeadline, copyWait, kmsKeys, shareWithAccounts,
                disableBlockPublicAccess, unblockWait, deprecation, checkBlockPublicAccess, streams, publicAmiQuota, p);
    }

    private static Waiter.Limits copyWait(ReplicatorConfig.Wait w) {
        if (w.maxAttempts() < 1 || w.successesInARow() < 1) {
            throw new IllegalArgumentException(
                    "fedimg.replicator.copy.wait.max-attempts and .successes-in-a-row must be at least 1");
        }
        return Waiter.Limits.of(w.maxAttempts(), w.delay()).inARow(w.successesInARow(), w.confirmDelay());
    }
}
