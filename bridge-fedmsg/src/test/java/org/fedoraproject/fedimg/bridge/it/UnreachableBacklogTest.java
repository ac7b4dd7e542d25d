package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.bridge.support.AmqpTestClient;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.Www;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The reproduction, as a new user met it: twelve FINISHED messages whose compose host does not resolve
 * (more than the prefetch), then one good compose. The good one is processed as if alone; each unreachable one
 * is tried a capped number of times (counted per message id in the store, not per delivery), then
 * dead-lettered as METADATA_UNREACHABLE saying that the host does not resolve.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
class UnreachableBacklogTest {

    static final String KEY = "org.fedoraproject.prod.pungi.compose.status.change";
    static TopicProbe probe;
    static AmqpTestClient amqp;

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void clients() {
        probe = TopicProbe.forSharedBroker();
        amqp = new AmqpTestClient();
    }

    @AfterAll
    static void close() {
        probe.close();
        amqp.close();
    }

    @Test
    void aBacklogOfUnreachableComposesNeitherBlocksAGoodOneNorRetriesForever() {
        String run = String.valueOf(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
        Map<String, Predicate<DeadLetter>> expected = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String id = "Fedora-41-2025040" + (i % 10) + "." + run + i;
            unreachable.add(id);
            // an allowed source (the test profile lists it) whose name never resolves (RFC 2606)
            amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(id, "FINISHED",
                    "https://compose.invalid/compose/41/" + id + "/compose"));
            expected.put(id, d -> id.equals(d.composeId()));
        }
        String good = "Fedora-Cloud-41-20250410." + run;
        String goodAt = "https://kojipkgs.fedoraproject.org/compose/cloud/" + good + "/compose";
        Www.put(Www.imagesJsonPath(goodAt), SampleComposes.ec2ComposeImagesJson(good, "41"));
        Instant published = Instant.now();
        amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(good, "FINISHED", goodAt));

        List<ImageReady> images = Events.images(probe, good, 2);
        Duration took = Duration.between(published, Instant.now());
        assertThat(images).hasSize(2);
        // alone it takes about a second; the backlog may cost it one in-process retry round, not the backlog's life
        assertThat(took).as("the good compose behind the backlog").isLessThan(Duration.ofSeconds(20));

        Map<String, DeadLetter> letters = DeadLetterContract.await(probe, Duration.ofSeconds(90), expected);
        assertThat(letters.values()).allSatisfy(d -> {
            assertThat(d.reasonCode()).isEqualTo("METADATA_UNREACHABLE");
            assertThat(d.reason()).contains("host compose.invalid does not resolve").contains("3 attempts since");
            assertThat(d.source()).isEqualTo("amqp:" + KEY);
        });
        assertThat(registry.find("fedimg.bridge.retries").tag("outcome", "gave-up").counter().count())
                .isGreaterThanOrEqualTo(12);
        // nothing stays parked, and no unreachable compose was ever emitted
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                registry.find("fedimg.bridge.retries.parked").gauge().value() == 0);
        assertThat(TopicProbe.decode(probe.readAll(org.fedoraproject.fedimg.events.Topics.IMAGES,
                Duration.ofSeconds(2)), ImageReady.class)).noneMatch(e -> unreachable.contains(e.composeId()));
        // the retries happened through the store, not the queue: one delivery each, acked
        assertThat(Events.deadLettersNow(probe, d -> unreachable.contains(d.composeId()))).hasSize(12);
    }
}
