package org.fedoraproject.fedimg.bridge.amqp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.bridge.support.AmqpTestClient;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.RabbitNodeTestResource;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.RabbitNode;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The bus is down for longer than the bridge used to retry a message (20 s in the test profile, 2 min in
 * production, then the status was dropped and its id recorded as sent): every status that arrived meanwhile
 * waits, readiness and the meters say so, and once the node is back each one reaches the bus, exactly once by
 * message id.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
@QuarkusTestResource(value = RabbitNodeTestResource.class, restrictToAnnotatedClass = true)
@EnabledIf("org.fedoraproject.fedimg.testing.RabbitNode#installed")
class BusOutageTest {

    /** Longer than the old give-up deadline of the test profile (20 s). */
    static final Duration OUTAGE = Duration.ofSeconds(30);
    static final String COMPOSE = "Fedora-41-20241031.0";
    static final ImageSpec IMAGE = new ImageSpec("https://kojipkgs.fedoraproject.org/compose/41/" + COMPOSE
            + "/compose/Cloud/x86_64/images/Fedora-Cloud-Base-AmazonEC2-41-1.5.x86_64.raw.xz",
            "Fedora-Cloud-Base-AmazonEC2-41-1.5.x86_64.raw.xz", "Fedora-Cloud-Base-AmazonEC2-41-1.5.x86_64",
            "d".repeat(64), 510_000_000L, "x86_64", "41", "production", "Cloud", "Cloud_Base", 0);
    static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-east-1");

    @Inject
    MeterRegistry registry;

    @Test
    void everyStatusSentWhileTheBusIsDownArrivesOnceItIsBack() throws Exception {
        RabbitNode node = RabbitNodeTestResource.node();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(node.amqpUrl());
        String queue = "fedimg-outage-reader-" + UUID.randomUUID();
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            try (AmqpTestClient bus = new AmqpTestClient(factory)) {
                bus.bindDurableQueue(queue, "org.fedoraproject.stg.fedimg.#"); // durable: it outlives the stop
                probe.send(status("us-east-1", StageState.STARTED), "uploader-service");
                assertThat(bus.getUntil(queue, Duration.ofSeconds(60), l -> !l.isEmpty())).hasSize(1);
            }

            node.stop();
            Instant down = Instant.now();
            for (String region : REGIONS) {
                probe.send(status(region, StageState.COMPLETED), "uploader-service");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> waiting() >= 1 && count("retried") >= 2);
            given().get("/q/health/ready").then().statusCode(200); // waiting is shown, not a reason to restart
            String oldest = given().get("/q/health/ready").then().extract()
                    .path("checks.find { it.name == 'fedora bus' }.data.'outbound-oldest'");
            assertThat(oldest).contains("org.fedoraproject.stg.fedimg.image.upload since", "attempt(s) failed");
            Thread.sleep(Math.max(0, OUTAGE.minus(Duration.between(down, Instant.now())).toMillis()));
            assertThat(waiting()).as("still waiting after %s", OUTAGE).isGreaterThanOrEqualTo(1);
            node.start();

            List<GetResponse> got;
            try (AmqpTestClient bus = new AmqpTestClient(factory)) {
                got = new ArrayList<>(bus.getUntil(queue, Duration.ofSeconds(120), l -> l.size() >= REGIONS.size()));
                Thread.sleep(3000); // anything re-sent comes now
                got.addAll(bus.getUntil(queue, Duration.ofSeconds(3), l -> true));
            }
            Map<String, Set<String>> bodiesById = got.stream().collect(Collectors.groupingBy(r -> r.getProps().getMessageId(),
                    Collectors.mapping(r -> new String(r.getBody(), StandardCharsets.UTF_8), Collectors.toSet())));
            assertThat(bodiesById).as("one body per message id").allSatisfy((id, bodies) -> assertThat(bodies).hasSize(1));
            assertThat(bodiesById.values().stream().map(b -> b.iterator().next()
                    .replaceAll(".*\"destination\": \"([a-z0-9-]+)\".*", "$1")).toList())
                    .as("every region's status once, by message id").containsExactlyInAnyOrderElementsOf(REGIONS);
            assertThat(got).allSatisfy(r -> assertThat(new String(r.getBody(), StandardCharsets.UTF_8))
                    .contains("\"status\": \"completed\""));
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting() == 0);
            assertThat(count("failed")).isZero();
            assertThat(registry.find("fedimg.bridge.bus.waiting").gauge().value()).isZero();
        }
    }

    private static StageStatus status(String region, StageState state) {
        return new StageStatus(UUID.randomUUID().toString(), COMPOSE + "/" + IMAGE.fileName(), COMPOSE, "trace-outage",
                Instant.now(), Stage.UPLOAD, state, "uploader-service", IMAGE, region,
                state == StageState.COMPLETED ? "ami-0outage" : null, null, new AmiVariant("hvm", "gp3", false), null, null, null);
    }

    private static int waiting() {
        Object n = given().get("/q/health/ready").then().extract()
                .path("checks.find { it.name == 'fedora bus' }.data.'outbound-waiting'");
        return n == null ? 0 : ((Number) n).intValue();
    }

    private double count(String outcome) {
        return registry.find("fedimg.bridge.bus.publishes").tags("transport", "amqp", "outcome", outcome).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }
}
