package org.fedoraproject.fedimg.bridge.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.fedoraproject.fedimg.bridge.api.TriggerGuard.Refusal;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class TriggerGuardTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MutableClock clock = new MutableClock();

    TriggerGuard guard(Optional<String> token, boolean open, boolean mtls, int perMinute) {
        return new TriggerGuard(token, open, mtls, perMinute, new BridgeMetrics(registry), clock);
    }

    double refused(String reason) {
        var c = registry.find("fedimg.bridge.trigger.refused").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void withoutATokenOrClientCertificatesTheTriggerIsOff() {
        TriggerGuard g = guard(Optional.empty(), false, false, 100);
        assertThat(g.enabled()).isFalse();
        assertThat(g.check("Bearer anything", "10.0.0.1")).contains(Refusal.DISABLED);
        assertThat(g.check(null, "10.0.0.1")).contains(Refusal.DISABLED);
        assertThat(refused("disabled")).isEqualTo(2);
        assertThat(guard(Optional.of(" "), false, false, 100).enabled()).as("a blank token is no token").isFalse();
    }

    @Test
    void clientCertificatesOrAnExplicitlyOpenTriggerLetRequestsThrough() {
        assertThat(guard(Optional.empty(), false, true, 100).check(null, "x")).isEmpty();
        assertThat(guard(Optional.empty(), true, false, 100).check(null, "x")).isEmpty();
    }

    @Test
    void onlyTheExactBearerTokenPasses() {
        TriggerGuard g = guard(Optional.of("s3cret"), false, false, 100);
        assertThat(g.check("Bearer s3cret", "x")).isEmpty();
        for (String wrong : new String[] { null, "", "s3cret", "Bearer s3cre", "Bearer s3cret ", "bearer s3cret",
                "Bearer S3CRET", "Bearer s3cret\u0000", "Basic czNjcmV0" }) {
            assertThat(g.check(wrong, "x")).as(String.valueOf(wrong)).contains(Refusal.UNAUTHORIZED);
        }
        assertThat(refused("unauthorized")).isEqualTo(9);
    }

    @Test
    void aFloodIsRateLimitedAndTheBucketRefills() {
        TriggerGuard g = guard(Optional.of("t"), false, false, 6);
        for (int i = 0; i < 6; i++) {
            assertThat(g.check("Bearer t", "x")).isEmpty();
        }
        assertThat(g.check("Bearer t", "x")).contains(Refusal.RATE_LIMITED);
        // wrong tokens use up the bucket too: guessing is as slow as using
        clock.advance(Duration.ofSeconds(10));
        assertThat(g.check("Bearer wrong", "x")).contains(Refusal.UNAUTHORIZED);
        assertThat(g.check("Bearer t", "x")).contains(Refusal.RATE_LIMITED);
        clock.advance(Duration.ofSeconds(10));
        assertThat(g.check("Bearer t", "x")).isEmpty();
        assertThat(refused("rate-limited")).isEqualTo(2);
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
