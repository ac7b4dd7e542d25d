package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The short version of the reliability suite, for every build (249 s measured on a loaded 2-core machine): two composes through the whole
 * pipeline while the Kafka broker is SIGKILLed and restarted, every service is SIGKILLed and restarted twice,
 * and AWS misbehaves (throttling, 5xx, a region failing every copy, new snapshots "not found" at first).
 * Every image must still end published exactly once in every other region, with nothing leaked, no bus
 * message missing and the failed region reported. The full suite ({@link ReliabilitySuiteIT}) runs each
 * attack on its own, at length, and writes {@code docs/reliability.md}.
 */
@DisabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
class ReliabilityIT {

    @Test
    void imagesArePublishedExactlyOnceThroughKillsABrokerRestartAndAwsFaults() throws Exception {
        Assumptions.assumeTrue(RabbitBus.reachable(E2eConfig.RABBIT_URL),
                "no RabbitMQ at " + E2eConfig.RABBIT_URL + ": the reliability run needs the machine's broker");
        long seed = Attacks.seed();
        int kills = Attacks.intProperty("fedimg.reliability.kills", 2);
        try (ReliabilityRun run = new ReliabilityRun().start()) {
            Attacks attacks = new Attacks(run, seed);
            Attacks.awsFaults(run.pipeline().emulator().faults());
            run.publishCompose(0);
            attacks.restartBroker();
            AtomicInteger next = new AtomicInteger(1);
            attacks.killEveryService(kills, Duration.ofSeconds(3), Duration.ofSeconds(10), () -> {
                if (next.get() < 2) {
                    run.publishCompose(next.getAndIncrement());
                }
                Attacks.sleep(1000);
            });
            run.awaitSettled(Duration.ofMinutes(6));
            Audit audit = Audit.of(run, Attacks.failingRegions());
            System.out.printf("[reliability] seed %d, kills %s, broker restarts %d, images %d, public AMIs %d, bus %d (%d re-sent)%n",
                    seed, attacks.killSummary(), attacks.brokerRestarts(), audit.images, audit.publicAmis,
                    audit.busMessages, audit.busResentSameId);
            assertThat(audit.findings()).as("seed %d", seed).isEmpty();
            assertThat(attacks.fewestKills()).isEqualTo(kills);
            assertThat(audit.images).isEqualTo(4);
        }
    }
}
