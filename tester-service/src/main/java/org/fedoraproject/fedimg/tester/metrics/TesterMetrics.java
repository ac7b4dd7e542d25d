package org.fedoraproject.fedimg.tester.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.metrics.StageBuckets;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * {@code fedimg.tester.tests} (verdict, reason, source, region), {@code fedimg.tester.test.duration},
 * {@code fedimg.tester.instances.inflight}, {@code fedimg.tester.dead.letters} and
 * {@code fedimg.tester.leftovers.removed}. Tags are low-cardinality: never an AMI or image id.
 */
@ApplicationScoped
@Startup // the gauge exists from the start, not from the first test
public class TesterMetrics {

    /** Where a verdict came from: a boot of this AMI, a sibling's boot, or the AMI's recorded result. */
    public enum Source {
        BOOTED, SIBLING, RECORDED
    }

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    TesterMetrics(MeterRegistry registry) {
        this.registry = registry;
        // a strong reference: registry.gauge() only keeps a weak one, and a collected gauge vanishes from /q/metrics
        Gauge.builder("fedimg.tester.instances.inflight", inFlight, AtomicInteger::get).strongReference(true)
                .register(registry);
    }

    public void verdict(String region, TestOutcome outcome, Source source) {
        registry.counter("fedimg.tester.tests", Tags.of("verdict", outcome.verdict().name().toLowerCase(),
                "reason", outcome.reasonCode(), "source", source.name().toLowerCase(), "region", region)).increment();
        if (source == Source.BOOTED) {
            Timer.builder("fedimg.tester.test.duration").serviceLevelObjectives(StageBuckets.DURATIONS)
                    .tags("verdict", outcome.verdict().name().toLowerCase(), "region", region).register(registry)
                    .record(Duration.ofMillis(outcome.durationMillis()));
        }
    }

    public void instanceStarted() {
        inFlight.incrementAndGet();
    }

    public void instanceEnded() {
        inFlight.decrementAndGet();
    }

    public void deadLetter(String reason) {
        registry.counter("fedimg.tester.dead.letters", "reason", reason).increment();
    }

    public void leftoverRemoved(String region, String kind) {
        registry.counter("fedimg.tester.leftovers.removed", "region", region, "kind", kind).increment();
    }
}
