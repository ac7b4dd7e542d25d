package org.fedoraproject.fedimg.uploader.metrics;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.fedoraproject.fedimg.metrics.StageBuckets;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The uploader's meters ({@code fedimg.upload.*}), tagged by region and method, never by image:
 * bytes downloaded and decompressed, EBS blocks written and skipped, per-job throughput, stage
 * durations, jobs in flight, results and dead letters.
 */
@ApplicationScoped
public class UploadMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    @Inject
    public UploadMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("fedimg.upload.inflight", inFlight, AtomicInteger::get).strongReference(true).register(registry);
    }

    public UploadProgress progress(String region, String method) {
        return new UploadProgress(
                counter("fedimg.upload.bytes.read", "compressed image bytes downloaded", region, method),
                counter("fedimg.upload.bytes.decompressed", "raw image bytes decompressed", region, method),
                counter("fedimg.upload.blocks.written", "EBS blocks written (PutSnapshotBlock)", region, method),
                counter("fedimg.upload.blocks.skipped", "all-zero EBS blocks skipped", region, method));
    }

    public void jobStarted() {
        inFlight.incrementAndGet();
    }

    public void jobEnded(String region, String method, String result, Duration took) {
        inFlight.decrementAndGet();
        Timer.builder("fedimg.upload.job.duration").description("one image, event in to events out")
                .serviceLevelObjectives(StageBuckets.DURATIONS).tags("region", region, "method", method, "result", result)
                .register(registry).record(took);
        registry.counter("fedimg.upload.jobs", "region", region, "method", method, "result", result).increment();
    }

    public void stage(String stage, String region, String method, Duration took) {
        Timer.builder("fedimg.upload.stage.duration").description("duration of one upload stage")
                .serviceLevelObjectives(StageBuckets.DURATIONS).tags("stage", stage, "region", region, "method", method)
                .register(registry).record(took);
    }

    public void throughput(String region, String method, double bytesPerSecond) {
        DistributionSummary.builder("fedimg.upload.throughput").baseUnit("bytes_per_second")
                .description("decompressed bytes per second of a whole write, per image")
                .tags("region", region, "method", method).register(registry).record(bytesPerSecond);
    }

    public void deadLetter(String reason) {
        registry.counter("fedimg.upload.dead.letters", "reason", reason).increment();
    }

    private Counter counter(String name, String description, String region, String method) {
        return Counter.builder(name).description(description).tags("region", region, "method", method)
                .register(registry);
    }
}
