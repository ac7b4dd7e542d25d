package org.fedoraproject.fedimg.replicator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Regions;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard;
import org.fedoraproject.fedimg.replicator.job.RegionDone;
import org.fedoraproject.fedimg.replicator.job.ReplicationEngine;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Issue 6 benchmark: one AMI to 30 regions with an emulated copy latency L; wall time / L for the
 * service's bounded-parallel replication and, in the same run, for a sequential baseline (one region at
 * a time, as fedimg did). Only in the {@code bench} profile: {@code -Pbench}; L from {@code -Dbench.latency}
 * (comma list of ISO-8601 durations, default PT5S,PT10S,PT20S; the sequential baseline
 * runs at the first), repetitions from {@code -Dbench.runs} (default 3).
 */
class ReplicationBenchmark {

    @Test
    void replicateOneAmiToThirtyRegions() throws IOException {
        List<Duration> latencies = java.util.Arrays.stream(System.getProperty("bench.latency", "PT5S,PT10S,PT20S").split(","))
                .map(String::trim).map(Duration::parse).toList();
        int runs = Integer.getInteger("bench.runs", 3);
        List<String> regions = Regions.DEFAULT.subList(0, 30);
        StringBuilder report = new StringBuilder();
        report.append(String.format("regions=%d cores=%d load average at start=%.1f%n", regions.size(),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        boolean baselineDone = false;
        for (Duration latency : latencies) {
            // Polling at L/20: production polls a 10-30 min copy every 15 s (L/40 to L/120).
            Duration poll = latency.dividedBy(20);
            ReplicationSettings parallel = new ReplicationSettings(List.of(), List.of(), 40, Duration.ofMinutes(30),
                    Waiter.Limits.of(10_000, poll), Map.of(), List.of(), false, Waiter.Limits.of(10, poll), Map.of(), true,
                    new org.fedoraproject.fedimg.lifecycle.domain.Streams(List.of()),
                    ReplicationSettings.QuotaSettings.fromServiceQuotas());
            // A quota increase: the warm-up, each timed run and the sequential baseline publish one AMI in every
            // region of this emulator, more than AWS's default of 5 public AMIs once -Dbench.runs is above 3.
            try (AwsEmulator emulator = AwsEmulator.builder().port(0).regions(regions).delays(Delays.builder()
                    .volumeCreation(Duration.ofMillis(100)).snapshotCompletion(Duration.ofMillis(200))
                    .imageAvailable(Duration.ofMillis(200)).copyAvailable(latency).build())
                    .quota(Quota.PUBLIC_AMIS, runs + 2).build().start();
                    AwsClients aws = new AwsClients(AwsConfig.of(SourceAmis.BASE, emulator.endpoint()),
                            new AwsCallMetrics(new SimpleMeterRegistry()))) {
                SourceAmis sources = new SourceAmis(aws.ec2(SourceAmis.BASE));
                // Warm-up: JIT, SDK clients, connections.
                time(aws, sources, parallel, regions, latency + "-warmup");
                for (int i = 0; i < runs; i++) {
                    double ratio = time(aws, sources, parallel, regions, latency + "-" + i) / (double) latency.toMillis();
                    report.append(String.format("L=%s poll=%s parallel (parallelism 40) run %d: wall/L = %.3f%n", latency, poll,
                            i + 1, ratio));
                }
                if (!baselineDone) {
                    double seq = time(aws, sources, parallel.withParallelism(1), regions, latency + "-sequential")
                            / (double) latency.toMillis();
                    report.append(String.format("L=%s poll=%s sequential baseline (parallelism 1): wall/L = %.3f%n", latency,
                            poll, seq));
                    baselineDone = true;
                }
            }
        }
        System.out.print(report);
        Path out = Path.of("target", "benchmark-replicator.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        assertThat(report.toString()).contains("sequential baseline");
    }

    /** Registers a fresh source AMI and replicates it to every region; returns the wall time in ms. */
    private long time(AwsClients aws, SourceAmis sources, ReplicationSettings settings, List<String> regions, String tag) {
        AmiTested tested = sources.registerPassed("Fedora-Cloud-41-20261125.0.bench-" + tag, "production", Samples.GP3);
        ReplicationEngine engine = new ReplicationEngine(aws, settings, new ReplicatorMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC(), () -> false);
        long start = System.nanoTime();
        List<RegionDone> done = engine.replicate(tested, PublicationGuard.require(tested), regions,
                d -> Uni.createFrom().voidItem()).await().atMost(Duration.ofMinutes(30));
        long wall = (System.nanoTime() - start) / 1_000_000;
        assertThat(done).hasSize(regions.size())
                .allSatisfy(d -> assertThat(d.result().outcome()).isEqualTo(RegionOutcome.PUBLISHED));
        return wall;
    }
}
