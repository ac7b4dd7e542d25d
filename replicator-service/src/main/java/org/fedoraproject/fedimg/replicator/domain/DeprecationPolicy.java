package org.fedoraproject.fedimg.replicator.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

/**
 * When AMIs of a compose type are deprecated: e.g. nightlies 30 days after their test, releases never.
 * The time is counted from the test, not from "now", so a redelivered event asks EC2 for the same time.
 */
public final class DeprecationPolicy {

    /** EC2 rejects deprecation times in the past and keeps minutes only. */
    static final Duration MIN_AHEAD = Duration.ofMinutes(1);

    private DeprecationPolicy() {
    }

    public static Optional<Instant> deprecateAt(String composeType, Instant testedAt, Instant now,
            Map<String, Duration> policy) {
        if (composeType == null) {
            return Optional.empty();
        }
        Duration after = policy.get(composeType);
        if (after == null || after.isZero() || after.isNegative()) {
            return Optional.empty();
        }
        Instant at = testedAt.plus(after).truncatedTo(ChronoUnit.MINUTES);
        Instant earliest = now.plus(MIN_AHEAD).truncatedTo(ChronoUnit.MINUTES).plus(MIN_AHEAD);
        // A late replay of an old event: deprecate as soon as EC2 allows rather than fail the region.
        return Optional.of(at.isBefore(earliest) ? earliest : at);
    }
}
