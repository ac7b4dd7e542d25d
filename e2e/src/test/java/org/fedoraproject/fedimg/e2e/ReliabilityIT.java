package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The short version of the reliability suite, for every build: two composes through the whole pipeline (two
 * tester replicas) while the Kafka broker is SIGKILLed and restarted (with an external broker: skipped, and
 * said so), every service process is SIGKILLed and restarted twice, and AWS misbehaves (throttling, 5xx, a
 * region failing every copy, new snapshots "not found" at first). Every image must still end published exactly once in every other region, with nothing leaked, no bus
 * message missing and the failed region reported. The full suite ({@link ReliabilitySuiteIT}) runs each
 * attack on its own, at length, and writes {@code docs/reliability.md}.
 */
@DisabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
class ReliabilityIT {

    @Test
    void imagesArePublishedExactlyOnceThroughKillsABrokerRestartAndAwsFaults(TestReporter reporter) throws Exception {
        long seed = Attacks.seed();
        int kills = Attacks.intProperty("fedimg.reliability.kills", 2);
        // two testers, as deployed: the region's test instance limit must hold across them
        try (ReliabilityRun run = new ReliabilityRun(Map.of("tester-service", 2), E2eConfig.amqpUrl(), Duration.ZERO).start()) {
            Attacks attacks = new Attacks(run, seed);
            Attacks.awsFaults(run.pipeline().emulator().faults());
            run.publishCompose(0);
            attacks.restartBroker();
            if (attacks.brokerRestartSkipped() != null) {
                reporter.publishEntry("broker restart skipped", attacks.brokerRestartSkipped());
            }
            AtomicInteger next = new AtomicInteger(1);
            attacks.killEveryService(kills, Duration.ofSeconds(3), Duration.ofSeconds(10), () -> {
                if (next.get() < 2) {
                    run.publishCompose(next.getAndIncrement());
                }
                Attacks.sleep(1000);
            });
            run.awaitSettled(Duration.ofMinutes(6));
            Audit audit = Audit.of(run, Attacks.failingRegions());
            System.out.printf("[reliability] seed %d, kills %s, broker restarts %d%s, images %d, public AMIs %d, bus %d (%d re-sent), "
                    + "test instances alive at once at most %d (%d gave way)%n", seed, attacks.killSummary(),
                    attacks.brokerRestarts(), attacks.brokerRestartSkipped() == null ? ""
                            : " (skipped: " + attacks.brokerRestartSkipped() + ")",
                    audit.images, audit.publicAmis, audit.busMessages, audit.busResentSameId, audit.testInstancePeak,
                    audit.testInstancesGaveWay);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
            assertThat(attacks.fewestKills()).isEqualTo(kills);
            assertThat(audit.images).isEqualTo(4);
        }
    }
}
