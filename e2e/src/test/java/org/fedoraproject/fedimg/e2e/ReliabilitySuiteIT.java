package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The full reliability suite ({@code ./mvnw -B -ntp -Preliability -pl e2e -am verify}, about 20 minutes):
 * each attack on its own pipeline, each writing its section of {@code docs/reliability.md}. The seed
 * ({@code -Dfedimg.reliability.seed=N}, printed otherwise) fixes every schedule.
 */
@EnabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilitySuiteIT {

    private final long seed = Attacks.seed();

    /** kill -9 of every service, at least 20 times each, while a compose arrives every 20 s. */
    @Test
    @Order(10)
    void crashes() throws Exception {
        int kills = Attacks.intProperty("fedimg.reliability.kills", 20);
        Fragment fragment = new Fragment("10-crashes.md", "Crashes: kill -9 of every service");
        Map<String, Integer> replicas = ReliabilityRun.deployedReplicas();
        try (ReliabilityRun run = new ReliabilityRun(replicas, E2eConfig.amqpUrl(), Duration.ofSeconds(10)).start()) {
            Attacks attacks = new Attacks(run, seed);
            AtomicInteger next = new AtomicInteger();
            Instant[] lastCompose = {Instant.EPOCH};
            attacks.killEveryService(kills, Duration.ofSeconds(2), Duration.ofSeconds(12), () -> {
                if (Duration.between(lastCompose[0], Instant.now()).toSeconds() >= 20) {
                    lastCompose[0] = Instant.now();
                    run.publishCompose(next.getAndIncrement());
                }
                Attacks.sleep(500);
            });
            run.awaitSettled(Duration.ofMinutes(10));
            Audit audit = Audit.of(run, Set.of());
            fragment.note("Every service runs as many replicas as deploy/k8s/overlays/production deploys (" + run.replicaSummary()
                    + "), in the same consumer groups, on topics of 12 partitions as deploy/k8s/kafka creates them; the AMI test "
                    + "script runs 10 s, so tests are in flight when testers die. Each process runs its own seeded schedule: work for 2 to 12 s after "
                    + "it is ready, SIGKILL, stay down up to 3 s, start again and wait until ready; so services, and the "
                    + "replicas of one service, also die together, and consumer groups rebalance while jobs are in flight. "
                    + "A compose of two images (x86_64, aarch64; 2 AMI variants each, 8 regions) arrives on AMQP "
                    + "every 20 s while the kills go on. Then every image must be published exactly once, and the "
                    + "tester's limit of " + ReliabilityRun.TEST_INSTANCE_LIMIT + " test instances per region must have "
                    + "held across its replicas (the emulator's instances counted every 200 ms).")
                    .figure("seed", seed).figure("kills per process (mean restart to ready)", attacks.killSummary())
                    .figure("composes", run.composes().size()).write(audit);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
            assertThat(attacks.fewestKills()).isGreaterThanOrEqualTo(kills);
        }
    }

    /** The broker restarted three times (same port, same log; SIGKILL, SIGTERM, SIGKILL) while composes arrive. */
    @Test
    @Order(20)
    void brokerRestart() throws Exception {
        Fragment fragment = new Fragment("20-broker-restart.md", "Kafka broker restart");
        String impossible = Attacks.brokerRestartImpossible();
        if (impossible != null) {
            fragment.skipped(impossible);
            Assumptions.abort(impossible);
        }
        try (ReliabilityRun run = new ReliabilityRun().start()) {
            Attacks attacks = new Attacks(run, seed);
            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                for (int n = 0; n < 4; n++) {
                    try {
                        run.publishCompose(n);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    Attacks.sleep(10_000);
                }
            });
            for (int i = 0; i < 3; i++) {
                attacks.restartBroker();
            }
            feed.get();
            run.awaitSettled(Duration.ofMinutes(8));
            Audit audit = Audit.of(run, Set.of());
            fragment.note("Four composes arrive 10 s apart; the single KRaft broker is restarted three times on its own "
                    + "port with its log kept (SIGKILL, then SIGTERM, then SIGKILL; 5 to 20 s apart, down up to 3 s).")
                    .figure("seed", seed).figure("broker restarts", attacks.brokerRestarts())
                    .figure("composes", run.composes().size()).write(audit);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
        }
    }

    /** 10% throttling and 1% 5xx on every call, one region failing every copy, new snapshots "not found" at first. */
    @Test
    @Order(30)
    void awsFaults() throws Exception {
        Fragment fragment = new Fragment("30-aws-faults.md", "AWS faults");
        try (ReliabilityRun run = new ReliabilityRun().start()) {
            var faults = run.pipeline().emulator().faults();
            Attacks.awsFaults(faults);
            for (int n = 0; n < 3; n++) {
                run.publishCompose(n);
                Attacks.sleep(5000);
            }
            run.awaitSettled(Duration.ofMinutes(10));
            Audit audit = Audit.of(run, Attacks.failingRegions());
            var inspect = run.pipeline().emulator().inspect();
            fragment.note("Every EC2 and EBS call: 10% RequestLimitExceeded/SlowDown and 1% InternalError; every "
                    + "CopyImage into " + Attacks.FAILING_REGION + " fails; EBS direct answers SNAPSHOT_NOT_FOUND for "
                    + "the first 3 s of every snapshot. Expected: every image PARTIAL, " + Attacks.FAILING_REGION
                    + " reported FAILED with its reason (per-region results, aggregate, catalogue), every other region public.")
                    .figure("composes", run.composes().size())
                    .figure("calls: CopyImage / PutSnapshotBlock / DescribeImages", inspect.callCount("CopyImage") + " / "
                            + inspect.callCount("PutSnapshotBlock") + " / " + inspect.callCount("DescribeImages"))
                    .write(audit);
            assertThat(audit.findings()).isEmpty();
        }
    }
}
