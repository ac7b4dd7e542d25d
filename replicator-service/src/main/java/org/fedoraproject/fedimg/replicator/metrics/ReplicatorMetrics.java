package org.fedoraproject.fedimg.replicator.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.metrics.StageBuckets;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The replicator's meters. Tags are low-cardinality: region and outcome, never an image.
 * <ul>
 * <li>{@code fedimg.replicator.region.results} (counter; region, outcome published|shared|failed)</li>
 * <li>{@code fedimg.replicator.copy.duration} (timer; region, outcome ok|failed): CopyImage to available</li>
 * <li>{@code fedimg.replicator.regions.inflight} (gauge): regions being worked on now</li>
 * <li>{@code fedimg.replicator.images} (counter; outcome): image aggregates written</li>
 * <li>{@code fedimg.replicator.jobs} (counter; result replicated|rejected|resumed-complete): jobs started</li>
 * <li>{@code fedimg.replicator.jobs.finished} (counter; result acked|dead-lettered|nacked): jobs ended</li>
 * <li>{@code fedimg.replicator.public-ami-quota.refused} (counter; region): a region failed for want of room
 * under its public AMI quota (alert FedimgPublicAmiQuotaFull)</li>
 * <li>{@code fedimg.replicator.public-amis.demoted} (counter; region): AMIs made private to make room</li>
 * <li>{@code fedimg.replicator.public-amis.used} / {@code .quota} (gauges; region): the last count and quota seen</li>
 * </ul>
 */
public final class ReplicatorMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inflight = new AtomicInteger();

    public ReplicatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("fedimg.replicator.regions.inflight", inflight, AtomicInteger::get).strongReference(true).register(registry);
    }

    public void regionStarted() {
        inflight.incrementAndGet();
    }

    public void regionEnded() {
        inflight.decrementAndGet();
    }

    public int inflight() {
        return inflight.get();
    }

    public void regionResult(String region, RegionOutcome outcome) {
        registry.counter("fedimg.replicator.region.results", "region", region, "outcome", outcome.name().toLowerCase())
                .increment();
    }

    public void copyDuration(String region, boolean ok, Duration d) {
        Timer.builder("fedimg.replicator.copy.duration").serviceLevelObjectives(StageBuckets.DURATIONS)
                .tag("region", region).tag("outcome", ok ? "ok" : "failed")
                .register(registry).record(d);
    }

    public void image(ImageOutcome outcome) {
        registry.counter("fedimg.replicator.images", "outcome", outcome.name().toLowerCase()).increment();
    }

    public void jobFinished(String result) {
        registry.counter("fedimg.replicator.jobs.finished", "result", result).increment();
    }

    public double jobsFinished(String result) {
        var c = registry.find("fedimg.replicator.jobs.finished").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    public void quotaRefused(String region) {
        registry.counter("fedimg.replicator.public-ami-quota.refused", "region", region).increment();
    }

    public double quotaRefusals(String region) {
        var c = registry.find("fedimg.replicator.public-ami-quota.refused").tag("region", region).counter();
        return c == null ? 0 : c.count();
    }

    /** AMIs made private for room so far, every region. */
    public double demotions() {
        return registry.find("fedimg.replicator.public-amis.demoted").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    public void demoted(String region) {
        registry.counter("fedimg.replicator.public-amis.demoted", "region", region).increment();
    }

    public void publicAmis(String region, long used, long quota) {
        gauge("fedimg.replicator.public-amis.used", region).set(used);
        gauge("fedimg.replicator.public-amis.quota", region).set(quota);
    }

    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> gauges = new java.util.concurrent.ConcurrentHashMap<>();

    private java.util.concurrent.atomic.AtomicLong gauge(String name, String region) {
        return gauges.computeIfAbsent(name + "|" + region, k -> {
            var v = new java.util.concurrent.atomic.AtomicLong();
            Gauge.builder(name, v, java.util.concurrent.atomic.AtomicLong::get).tag("region", region).strongReference(true)
                    .register(registry);
            return v;
        });
    }

    public void job(String result) {
        registry.counter("fedimg.replicator.jobs", "result", result).increment();
    }
}
