package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.fedoraproject.fedimg.testing.RabbitNode;
import org.fedoraproject.fedimg.testing.ssh.SshStandIn;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The full reliability suite ({@code ./mvnw -B -ntp -Preliability -pl e2e -am verify}, see {@link ReliabilityReport}):
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
                    .injected("SIGKILL of a service process, timed by the clock", attacks.totalKills())
                    .figure("composes", run.composes().size()).write(audit);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
            assertThat(attacks.fewestKills()).isGreaterThanOrEqualTo(kills);
        }
    }

    /**
     * A SIGKILL at every AWS call boundary ({@link CrashPoints}): for each operation each service makes, the
     * process is killed right before the call reaches the emulator and, another time, right after the call took
     * effect; and once per service between its output event and its Kafka commit. One process per service (the
     * emulator tells them apart by their access keys); composes keep arriving while the points are worked through.
     * The tester runs its ssh transport against fedimg-testing's {@link SshStandIn} (the instance's console shows
     * the stand-in's host key fingerprint through the ssh user-data, which the emulator's bash backend runs), so
     * its key pair and security group calls are among the points.
     * {@code -Dfedimg.reliability.crash-points.per-service=N} runs only N points per service (chosen by the seed),
     * {@code -Dfedimg.reliability.crash-points.operations=ImportKeyPair,CreateSecurityGroup,...} only the points of
     * those operations ({@code output} for the output points), for a quick check of a few;
     * {@code -Dfedimg.reliability.crash-points.minutes} bounds the wait for one point (default 4).
     */
    @Test
    @Order(15)
    void crashPoints() throws Exception {
        int perService = Attacks.intProperty("fedimg.reliability.crash-points.per-service", 0);
        Set<String> only = new java.util.TreeSet<>(List.of(System.getProperty("fedimg.reliability.crash-points.operations", "")
                .split("\\s*,\\s*")));
        only.remove("");
        Duration perPoint = Duration.ofMinutes(Attacks.intProperty("fedimg.reliability.crash-points.minutes", 4));
        Fragment fragment = new Fragment("15-crash-points.md", "Crashes at every AWS call boundary");
        try (SshStandIn ssh = SshStandIn.start()) {
            Map<String, String> tester = new java.util.HashMap<>(ssh.testerSettings(
                    Files.createTempDirectory("fedimg-crash-points-").resolve("ssh-user-data.sh")));
            // the emulator gives instances of the default VPC the public address 127.0.0.1, where the stand-in listens
            tester.put("fedimg.tester.ssh.source-cidr", "127.0.0.1/32");
            // the generated composes are of type production, which Fedora never deprecates: deprecate them (in a
            // year), so that EnableImageDeprecation is one of the replicator's calls
            Map<String, Map<String, String>> extra = Map.of("replicator-service",
                    Map.of("fedimg.replicator.deprecation.production", "P365D"), "tester-service", tester);
            crashPoints(fragment, extra, perService, only, perPoint);
        }
    }

    private void crashPoints(Fragment fragment, Map<String, Map<String, String>> extra, int perService, Set<String> only,
            Duration perPoint) throws Exception {
        try (ReliabilityRun run = new ReliabilityRun(Map.of(), E2eConfig.amqpUrl(), Duration.ZERO, extra).start()) {
            CrashPoints points = new CrashPoints(run, seed);
            AtomicInteger next = new AtomicInteger();
            run.publishCompose(next.getAndIncrement());
            // the first compose goes through unharmed: which operations each service makes is read from the emulator
            run.awaitSettled(Duration.ofMinutes(8));
            List<CrashPoints.Point> plan = points.plan(perService, only);
            Instant[] last = {Instant.EPOCH};
            points.hitAll(plan, perPoint, () -> {
                // keep every service busy without piling work up: a compose whenever fewer than two are in flight,
                // and one a minute while fewer than three are (the uploader's calls come only at a compose's start)
                int inFlight = run.composesInFlight().size();
                long since = Duration.between(last[0], Instant.now()).toSeconds();
                if (inFlight < 2 && since >= 10 || inFlight < 3 && since >= 60) {
                    last[0] = Instant.now();
                    run.publishCompose(next.getAndIncrement());
                }
                Attacks.sleep(500);
            });
            run.awaitSettled(Duration.ofMinutes(10));
            Audit audit = Audit.of(run, Set.of());
            List<String> findings = audit.findings();
            List<CrashPoints.Hit> missed = points.hits().stream().filter(h -> !h.reached()).toList();
            fragment.note("One process per service, each signing its AWS calls with an access key of its own; the replicator "
                    + "deprecates the AMIs (in a year) so that EnableImageDeprecation is among its calls; the tester runs "
                    + "its ssh transport (a temporary key pair imported and a security group opening the ssh port to "
                    + "127.0.0.1/32 per attempt, both deleted after the test): the test instance's user-data, run by the "
                    + "emulator's bash backend, prints the host key fingerprint of an SSH server in the suite's JVM (Apache "
                    + "MINA SSHD, fedimg-testing's SshStandIn) on the console, and the tester checks the host key against "
                    + "it, logs in as fedora to the instance's public address (127.0.0.1) and runs the script with "
                    + "`bash -s`. The first "
                    + "compose goes through unharmed; the operations each service made for it (read from the emulator, per "
                    + "access key; Describe and List polling left out) are the plan"
                    + planCut(only, perService)
                    + ": for each, the emulator signals right "
                    + "before the " + "call (the call then has no effect: the process died before its request reached AWS) "
                    + "or right after it took effect (its answer never reaches the process), and the signal SIGKILLs the "
                    + "process at that instant; PutSnapshotBlock at its 6th call, in the middle of an image, the others at "
                    + "their first call after the point is armed. "
                    + (plan.stream().noneMatch(p -> CrashPoints.OUTPUT.equals(p.operation())) ? ""
                            : "Per service one more point: the moment its output event (AmiRegistered, AmiTested, "
                                    + "ImagePublished) is on Kafka, before its consumer commits the input's offset. ")
                    + "A point not reached in half its time (" + perPoint.toMinutes() + " min) gets a graceful restart of the "
                    + "service, to reach operations made at start-up. The services go through their points side by side, "
                    + "the killed process restarted and ready before its next point, while a compose of two images (2 AMI "
                    + "variants, 8 regions) arrives whenever fewer than two are in flight (and once a minute while fewer "
                    + "than three are). The audit runs once, at the end; a "
                    + "point's cell counts the findings about the composes in flight when it was hit.")
                    .note("")
                    .note(points.table(findings))
                    .figure("seed", seed)
                    .figure("operations each service made (the plan's source)", points.operations())
                    .figure("points planned / reached", plan.size() + " / " + points.reached())
                    .figure("points not reached", missed.isEmpty() ? "none" : missed.stream().map(h -> h.point().toString())
                            .collect(java.util.stream.Collectors.joining(", ")))
                    .injected("SIGKILL at an AWS call boundary or before a Kafka commit", points.reached())
                    .figure("findings about composes in flight at a kill / all findings", points.attributed(findings).size()
                            + " / " + findings.size())
                    .figure("composes", run.composes().size()).write(audit);
            assertThat(findings).as("seed %d", seed).isEmpty();
            assertThat(missed).as("points not reached").isEmpty();
        }
    }

    /** How the crash points' plan was cut, for the section's preamble: nothing when it was not. */
    private static String planCut(Set<String> only, int perService) {
        List<String> cuts = new java.util.ArrayList<>();
        if (!only.isEmpty()) {
            cuts.add("the points of " + String.join(", ", only) + " only");
        }
        if (perService > 0) {
            cuts.add(perService + " points per service");
        }
        return cuts.isEmpty() ? "" : " (cut here to " + String.join(", then to ", cuts) + ")";
    }

    /**
     * RabbitMQ restarted while composes arrive and statuses go out: a node of the suite's own ({@link RabbitNode}, on
     * a port of its own), SIGKILLed, then stopped gracefully, then SIGKILLed again. Inbound compose messages are acked
     * after Kafka (a message unacked at the kill is delivered again); outbound messages wait in the bridge until the
     * node is back and are deduplicated by id. Counted only when the node was really down and came back.
     */
    @Test
    @Order(25)
    void busRestart() throws Exception {
        Fragment fragment = new Fragment("25-bus-restart.md", "RabbitMQ restart");
        Optional<String> unavailable = RabbitNode.unavailableReason();
        if (unavailable.isPresent()) {
            String why = unavailable.get() + ": the embedded broker keeps its queues in memory, so a restart of it "
                    + "would lose what RabbitMQ keeps, and proves nothing";
            fragment.skipped(why);
            Assumptions.abort(why);
        }
        try (RabbitNode node = RabbitNode.create().start();
                ReliabilityRun run = new ReliabilityRun(Map.of(), node.amqpUrl(), Duration.ZERO).start()) {
            java.util.Random random = new java.util.Random(seed + 2000);
            int restarts = 0;
            List<String> kinds = new java.util.ArrayList<>();
            for (int n = 0; n < 4; n++) {
                run.publishCompose(n);
                if (n == 3) {
                    break;
                }
                Attacks.sleep(3000 + random.nextInt(7000)); // work in flight: statuses going out, a compose unacked
                boolean kill = n % 2 == 0;
                if (kill) {
                    node.kill();
                } else {
                    node.stop();
                }
                boolean down = !node.isRunning() && !RabbitBus.reachable(node.amqpUrl());
                Attacks.sleep(2000 + random.nextInt(3000));
                node.start();
                if (down && node.isRunning() && RabbitBus.reachable(node.amqpUrl())) {
                    restarts++;
                    kinds.add(kill ? "SIGKILL" : "SIGTERM");
                }
            }
            run.awaitSettled(Duration.ofMinutes(10));
            Audit audit = Audit.of(run, Set.of());
            fragment.note("A RabbitMQ node of the suite's own (`RabbitNode`: the machine's rabbitmq-server, its own port, "
                    + "data directory and Erlang cookie; the machine's broker untouched) carries the bus. Four composes "
                    + "arrive; after each of the first three, 3 to 10 s later (statuses going out, a compose message maybe "
                    + "unacked), the node is SIGKILLed, stopped gracefully, SIGKILLed, and started again after 2 to 5 s "
                    + "with its data. The bridge's compose queue and the audit's observer queue are durable; the audit "
                    + "then requires every fedimg bus message under its derived id and every image published once.")
                    .figure("seed", seed).injected("RabbitMQ restart", restarts)
                    .figure("restarts (node down, then back)", restarts + " of 3: " + String.join(", ", kinds))
                    .figure("composes", run.composes().size()).write(audit);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
            assertThat(restarts).isEqualTo(3);
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
                    .figure("seed", seed).injected("Kafka broker restart", attacks.brokerRestarts())
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
            faults.injectedCounts().forEach((kind, n) -> fragment.injected("AWS fault: " + kind, n));
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
