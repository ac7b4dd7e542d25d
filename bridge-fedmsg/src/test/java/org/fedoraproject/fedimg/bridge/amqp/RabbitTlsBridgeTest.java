package org.fedoraproject.fedimg.bridge.amqp;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.fedoraproject.fedimg.bridge.support.RabbitTlsTestResource.BRIDGE_USER;
import static org.fedoraproject.fedimg.bridge.support.RabbitTlsTestResource.PUBLISHER_USER;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.job.InboundPipeline;
import org.fedoraproject.fedimg.bridge.messaging.BusHealth;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.support.AmqpTestClient;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.RabbitTlsTestResource;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.Www;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.RabbitNode;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;

import com.rabbitmq.client.GetResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The bridge against a RabbitMQ node of the test's own that, like Fedora's broker, speaks only TLS and takes
 * only client certificates (SASL EXTERNAL): a compose message published over TLS becomes image events, the
 * stage statuses go out over TLS, a certificate from another CA and an untrusted broker are refused with a
 * clear error in the log and in readiness, and a restart of the node mid-run loses nothing.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
@QuarkusTestResource(value = RabbitTlsTestResource.class, restrictToAnnotatedClass = true)
@EnabledIf("org.fedoraproject.fedimg.testing.RabbitNode#installed")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RabbitTlsBridgeTest {

    static final String COMPOSE_KEY = "org.fedoraproject.prod.pungi.compose.status.change";
    static final String FEDIMG_KEYS = "org.fedoraproject.stg.fedimg.#";
    static final AmiVariant GP3 = new AmiVariant("hvm", "gp3", false);
    static TopicProbe probe;

    @Inject
    BridgeConfig config;
    @Inject
    InboundPipeline pipeline;
    @Inject
    SeenStore seen;
    @Inject
    org.fedoraproject.fedimg.bridge.outbound.OutboundPublisher outbound;
    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void kafka() {
        probe = TopicProbe.forSharedBroker();
    }

    @AfterAll
    static void close() {
        probe.close();
    }

    @Test
    @Order(1)
    void aComposeGoesInAndTheStatusesComeOutOverTls() {
        String composeId = "Fedora-42-20250401.0";
        String location = publishable(composeId);
        // the consumer declares and binds its queue on a thread of its own after start-up: a message published to
        // amq.topic before the binding exists is routed nowhere, so wait until readiness says the consumer is up
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        try (AmqpTestClient bus = publisher()) {
            String out = bus.bindQueue(FEDIMG_KEYS, "org.fedoraproject.stg.fedora_image_uploader.#");
            String id = UUID.randomUUID().toString();
            bus.publish(COMPOSE_KEY, id, SampleComposes.pungiBody(composeId, "FINISHED", location));

            List<ImageReady> images = images(composeId);
            assertThat(images).extracting(e -> e.image().arch()).containsExactlyInAnyOrder("x86_64", "aarch64");
            assertThat(images).allSatisfy(e -> assertThat(e.sourceMessageId()).isEqualTo(id));

            ImageReady x86 = images.stream().filter(e -> e.image().arch().equals("x86_64")).findFirst().orElseThrow();
            probe.send(status(x86, UUID.randomUUID().toString(), StageState.COMPLETED), "uploader-service");
            probe.send(new ImagePublished(UUID.randomUUID().toString(), x86.imageKey(), composeId, x86.traceId(),
                    Instant.now(), x86.image(), ImageOutcome.COMPLETE, List.of(new ImagePublished.Result("us-east-1",
                            "hvm-gp3", "ami-0tls", "snap-0tls", true, RegionOutcome.PUBLISHED, null)), null),
                    "replicator-service");
            List<GetResponse> got = bus.getUntil(out, Duration.ofSeconds(60), l -> l.size() >= 2);
            assertThat(got).extracting(r -> r.getEnvelope().getRoutingKey()).containsExactlyInAnyOrder(
                    "org.fedoraproject.stg.fedimg.image.upload",
                    "org.fedoraproject.stg.fedora_image_uploader.published.v1.aws.Cloud_Base." + x86.image().release()
                            + ".x86_64");
        }
        // the node's view: the bridge's consumer and publisher came over TLS and logged in with their certificate
        List<String> bridge = RabbitTlsTestResource.node().rabbitmqctl("list_connections", "--no-table-headers",
                "user", "auth_mechanism", "ssl", "peer_cert_subject").lines()
                .filter(l -> l.startsWith(BRIDGE_USER + "\t")).toList();
        assertThat(bridge).hasSize(2).allSatisfy(l -> assertThat(l.split("\t")).startsWith(BRIDGE_USER, "EXTERNAL",
                "true").anySatisfy(f -> assertThat(f).contains("CN=" + BRIDGE_USER)));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    @Order(2)
    void aClientCertificateFromAnotherCaIsRefused() {
        Path pki = RabbitTlsTestResource.pki();
        String error = refusal(bridgeConfig(pki.resolve("ca.pem"), pki.resolve("foreign.crt"), pki.resolve("foreign.key")));
        // TLS 1.3: the JDK does not offer a certificate the broker's CA list rules out, and the broker refuses the
        // connection after the client's side of the handshake (alert certificate_required, or a bare reset)
        assertThat(error).containsAnyOf("refused the connection for want of a client certificate",
                "closed the connection right after the TLS handshake")
                .contains("fedimg.bridge.amqp.tls.certfile", "foreign.crt", "issued by", "CN=another-ca");
    }

    @Test
    @Order(3)
    void anUntrustedBrokerCertificateIsRefusedByTheBridge() {
        Path pki = RabbitTlsTestResource.pki();
        String error = refusal(bridgeConfig(pki.resolve("other-ca.pem"), pki.resolve(BRIDGE_USER + ".crt"),
                pki.resolve(BRIDGE_USER + ".key")));
        assertThat(error).contains("TLS certificate of the broker localhost:" + RabbitTlsTestResource.node().port(),
                "is not trusted", "fedimg.bridge.amqp.tls.ca-cert", "other-ca.pem");
    }

    /**
     * A restart of the node in the middle of work. Inbound: a compose message delivered but not yet acked (its
     * metadata server hangs) when the node stops is kept by the durable queue and handled after the restart; the
     * queue ends empty. Outbound: a status published before the stop is still in the reader's durable queue after
     * it, a status that arrives while the node is down is retried until the node is back, and replaying it sends
     * nothing twice. Readiness is DOWN while the node is.
     */
    @Test
    @Order(4)
    void aRestartOfTheNodeMidRunLosesNothing() throws Exception {
        RabbitNode node = RabbitTlsTestResource.node();
        String bridgeQueue = config.amqp().queue().orElseThrow();
        String out = "fedimg-tls-reader-" + UUID.randomUUID();
        String held = "Fedora-42-20250402.0";
        String after = "Fedora-42-20250403.0";
        String heldLocation = publishable(held);
        String afterLocation = publishable(after);
        // the first delivery waits on this past the restart; the redelivered copy does not (the file is gone by then)
        String delay = Www.imagesJsonPath(heldLocation) + ".delay";
        Www.put(delay, "20000");
        ImageReady image = images("Fedora-42-20250401.0").get(0); // from the first test
        StageStatus before = status(image, UUID.randomUUID().toString(), StageState.STARTED);
        StageStatus during = status(image, UUID.randomUUID().toString(), StageState.COMPLETED);

        double deliveries = count("fedimg.bridge.messages.received", "source", "amqp", "status", "FINISHED");
        try (AmqpTestClient bus = publisher()) {
            bus.bindDurableQueue(out, FEDIMG_KEYS);
            probe.send(before, "uploader-service");
            bus.publish(COMPOSE_KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(held, "FINISHED", heldLocation));
            await().atMost(Duration.ofSeconds(30)).until(() -> queue(node, bridgeQueue).equals(List.of("0", "1"))
                    && bus.readyCount(out) == 1);
        }
        node.stop();
        Files.delete(Www.root().resolve(delay));
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/health/ready").statusCode() == 503);
        given().get("/q/health/ready").then().body("checks.find { it.name == 'fedora bus' }.data.'amqp-consumer'",
                equalTo("down"));
        probe.send(during, "uploader-service");
        node.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);

        try (AmqpTestClient bus = publisher()) {
            // the node kept the unacked message and delivered it again: its images are written, with the ids the
            // first attempt (still waiting on its metadata, its ack bound for a closed channel) writes as well
            await().atMost(Duration.ofSeconds(30)).until(() -> count("fedimg.bridge.messages.received", "source",
                    "amqp", "status", "FINISHED") - deliveries >= 2);
            assertThat(images(held).stream().map(ImageReady::eventId).distinct()).hasSize(2);
            bus.publish(COMPOSE_KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(after, "FINISHED", afterLocation));
            assertThat(images(after)).hasSize(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> queue(node, bridgeQueue).equals(List.of("0", "0")));

            List<GetResponse> got = bus.getUntil(out, Duration.ofSeconds(90), l -> l.size() >= 2);
            double replays = count("fedimg.bridge.bus.publishes", "transport", "all", "outcome", "duplicate");
            probe.send(during, "uploader-service"); // a replay of the same event: same bus message id
            await().atMost(Duration.ofSeconds(30)).until(() -> count("fedimg.bridge.bus.publishes", "transport", "all",
                    "outcome", "duplicate") > replays);
            got = new ArrayList<>(got);
            got.addAll(bus.getUntil(out, Duration.ofSeconds(5), l -> true));
            assertThat(got).extracting(r -> r.getProps().getMessageId()).doesNotHaveDuplicates().hasSize(2);
            assertThat(got).extracting(r -> new String(r.getBody()).replaceAll(".*\"status\": \"(\\w+)\".*", "$1"))
                    .containsExactlyInAnyOrder("started", "completed");
        }
    }

    /** Starts a consumer with a configuration the node must refuse; returns the error it reports. */
    private String refusal(BridgeConfig refused) {
        AmqpConsumer consumer = new AmqpConsumer(refused, pipeline);
        try {
            consumer.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumer.lastError().isPresent());
            assertThat(consumer.connected()).isFalse();
            HealthCheckResponse health = new BusHealth(refused, consumer, seen, outbound).call();
            assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(health.getData().orElseThrow()).containsEntry("amqp-consumer", "down")
                    .containsEntry("amqp-error", consumer.lastError().get());
            return consumer.lastError().get();
        } finally {
            consumer.stop();
        }
    }

    private static BridgeConfig bridgeConfig(Path ca, Path cert, Path key) {
        return AckAfterKafkaTest.config(Map.of(
                "fedimg.bridge.amqp.consume", "true",
                "fedimg.bridge.amqp.url", RabbitTlsTestResource.node().amqpUrl(),
                "fedimg.bridge.amqp.reconnect-delay", "1s",
                "fedimg.bridge.amqp.tls.ca-cert", ca.toString(),
                "fedimg.bridge.amqp.tls.certfile", cert.toString(),
                "fedimg.bridge.amqp.tls.keyfile", key.toString()));
    }

    /** fedora-messaging's side: TLS with the publisher's certificate, SASL EXTERNAL. */
    private static AmqpTestClient publisher() {
        Path pki = RabbitTlsTestResource.pki();
        return new AmqpTestClient(AmqpConnections.factory(bridgeConfig(pki.resolve("ca.pem"),
                pki.resolve(PUBLISHER_USER + ".crt"), pki.resolve(PUBLISHER_USER + ".key")).amqp()));
    }

    /** [messages ready, messages unacknowledged] of a queue, from the node. */
    private static List<String> queue(RabbitNode node, String name) {
        return node.rabbitmqctl("list_queues", "--no-table-headers", "name", "messages_ready",
                "messages_unacknowledged").lines().map(l -> l.split("\t")).filter(f -> f[0].equals(name))
                .map(f -> List.of(f[1], f[2])).findFirst().orElse(List.of());
    }

    private static String publishable(String composeId) {
        String location = "https://kojipkgs.fedoraproject.org/compose/42/" + composeId + "/compose";
        Www.put(Www.imagesJsonPath(location), SampleComposes.ec2ComposeImagesJson(composeId, "42"));
        return location;
    }

    private static List<ImageReady> images(String composeId) {
        return TopicProbe.decode(probe.readUntil(Topics.IMAGES, Duration.ofSeconds(60),
                all -> TopicProbe.decode(all, ImageReady.class).stream().filter(e -> composeId.equals(e.composeId()))
                        .count() >= 2), ImageReady.class).stream().filter(e -> composeId.equals(e.composeId())).toList();
    }

    private static StageStatus status(ImageReady image, String id, StageState state) {
        return new StageStatus(id, image.imageKey(), image.composeId(), image.traceId(), Instant.now(), Stage.UPLOAD,
                state, "uploader-service", image.image(), "us-east-1", state == StageState.COMPLETED ? "ami-0tls" : null,
                null, GP3, null, null, null);
    }

    private double count(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
