package org.fedoraproject.fedimg.replicator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DeprecationPolicyTest {

    static final Map<String, Duration> POLICY = Map.of("nightly", Duration.ofDays(30), "test", Duration.ZERO);
    static final Instant TESTED = Instant.parse("2026-11-20T10:00:30Z");

    @Test
    void nightliesAreDeprecatedThirtyDaysAfterTheirTestOnAWholeMinute() {
        assertThat(DeprecationPolicy.deprecateAt("nightly", TESTED, TESTED.plusSeconds(600), POLICY))
                .contains(Instant.parse("2026-12-20T10:00:00Z"));
    }

    @Test
    void theSameEventGivesTheSameTimeWhenRedeliveredLater() {
        var first = DeprecationPolicy.deprecateAt("nightly", TESTED, TESTED.plusSeconds(60), POLICY);
        var again = DeprecationPolicy.deprecateAt("nightly", TESTED, TESTED.plus(Duration.ofDays(2)), POLICY);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void releasesAndUnlistedOrZeroTypesAreNeverDeprecated() {
        assertThat(DeprecationPolicy.deprecateAt("production", TESTED, TESTED, POLICY)).isEmpty();
        assertThat(DeprecationPolicy.deprecateAt("test", TESTED, TESTED, POLICY)).isEmpty();
        assertThat(DeprecationPolicy.deprecateAt(null, TESTED, TESTED, POLICY)).isEmpty();
    }

    @Test
    void aLateReplayIsDeprecatedSoonInsteadOfInThePast() {
        Instant now = TESTED.plus(Duration.ofDays(40));
        Instant at = DeprecationPolicy.deprecateAt("nightly", TESTED, now, POLICY).orElseThrow();
        assertThat(at).isAfter(now).isBefore(now.plus(Duration.ofMinutes(3)));
    }
}
