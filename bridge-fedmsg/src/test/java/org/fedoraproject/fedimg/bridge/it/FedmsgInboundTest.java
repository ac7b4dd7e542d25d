package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.fedoraproject.fedimg.bridge.fedmsg.CanonicalJson;
import org.fedoraproject.fedimg.bridge.fedmsg.FedmsgEnvelopes;
import org.fedoraproject.fedimg.bridge.fedmsg.Pem;
import org.fedoraproject.fedimg.bridge.fedmsg.X509Signer;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.Www;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** fedmsg in: a real ZeroMQ PUB socket here, the bridge's SUB socket, X.509 validation with a test CA and CRL. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
class FedmsgInboundTest {

    static final String TOPIC = "org.fedoraproject.prod.pungi.compose.status.change";
    static ZContext zmq;
    static ZMQ.Socket pub;
    static TopicProbe probe;
    static final FedmsgEnvelopes ENVELOPES = new FedmsgEnvelopes("root");

    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void sockets() {
        zmq = new ZContext();
        pub = zmq.createSocket(SocketType.PUB);
        pub.bind(System.getProperty("bridge.test.fedmsg-in"));
        probe = TopicProbe.forSharedBroker();
    }

    @AfterAll
    static void close() {
        zmq.close();
        probe.close();
    }

    static X509Signer signer(String cn) {
        Path pki = Path.of(System.getProperty("bridge.test.pki"));
        return new X509Signer(Pem.privateKey(pki.resolve(cn + ".key")),
                Pem.certificates(pki.resolve(cn + ".crt")).get(0));
    }

    static ObjectNode envelope(String composeId, String status, String location) throws Exception {
        return ENVELOPES.envelope(TOPIC, UUID.randomUUID().toString(),
                EventJson.MAPPER.readTree(SampleComposes.pungiBody(composeId, status, location)), Instant.now());
    }

    static void send(String topic, ObjectNode envelope) {
        pub.sendMore(topic);
        pub.send(CanonicalJson.pythonDumps(envelope).getBytes(StandardCharsets.UTF_8));
    }

    double count(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** PUB/SUB has a slow-joiner window: send ignored, signed STARTED messages until the bridge sees one. */
    void warmUp() throws Exception {
        X509Signer pungi = signer(BridgeTestResource.PUNGI_CN);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            send(TOPIC, pungi.sign(envelope("Fedora-40-20240101.0", "STARTED", "https://example.org/compose")));
            return count("fedimg.bridge.messages.received", "source", "fedmsg", "status", "STARTED") > 0;
        });
    }

    @Test
    void signedComposeMessageGivesImagesAndBadSignaturesAreDeadLettered() throws Exception {
        warmUp();
        String composeId = "Fedora-40-20240423.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/40/" + composeId + "/compose";
        Www.put(Www.imagesJsonPath(location), SampleComposes.ec2ComposeImagesJson(composeId, "40"));
        ObjectNode good = signer(BridgeTestResource.PUNGI_CN).sign(envelope(composeId, "FINISHED", location));
        send(TOPIC, good);
        List<ImageReady> events = Events.images(probe, composeId, 2);
        assertThat(events).extracting(e -> e.image().fileName()).containsExactlyInAnyOrder(
                "Fedora-Cloud-Base-AmazonEC2-40-1.4.x86_64.raw.xz", "Fedora-Cloud-Base-AmazonEC2-40-1.4.aarch64.raw.xz");
        assertThat(events).allSatisfy(e -> assertThat(e.sourceMessageId()).isEqualTo(good.get("msg_id").asText()));

        // tampered after signing
        ObjectNode tampered = signer(BridgeTestResource.PUNGI_CN).sign(envelope("Fedora-40-20240424.0", "FINISHED", location));
        ((ObjectNode) tampered.get("msg")).put("location", "https://evil.example.org/compose");
        assertBadSignature(tampered, "signature does not match");
        // revoked by the CRL
        assertBadSignature(signer(BridgeTestResource.REVOKED_CN).sign(envelope("Fedora-40-20240425.0", "FINISHED",
                location)), "revoked");
        // valid certificate, but its CN may not send pungi topics
        assertBadSignature(signer("intruder.fedoraproject.org").sign(envelope("Fedora-40-20240426.0", "FINISHED",
                location)), "routing policy");
        // not signed at all
        assertBadSignature(envelope("Fedora-40-20240427.0", "FINISHED", location), "not signed");
        // signed by the bridge's own, valid fedimg certificate but still not allowed for pungi topics
        assertBadSignature(signer(BridgeTestResource.FEDIMG_CN).sign(envelope("Fedora-40-20240428.0", "FINISHED",
                location)), "routing policy");
        assertThat(count("fedimg.bridge.fedmsg.signatures", "outcome", "invalid")).isGreaterThanOrEqualTo(5);
        for (String id : List.of("Fedora-40-20240424.0", "Fedora-40-20240425.0", "Fedora-40-20240426.0")) {
            assertThat(Events.imagesNow(probe, id)).isEmpty();
        }
    }

    @Test
    void malformedFramesAndForeignTopicsAreHandled() throws Exception {
        warmUp();
        // three frames instead of two
        pub.sendMore(TOPIC);
        pub.sendMore("{}");
        pub.send("extra frame");
        DeadLetter dl = Events.deadLetter(probe, d -> d.originalPayload() != null
                && d.originalPayload().contains("extra frame"));
        assertThat(dl.reasonCode()).isEqualTo("MALFORMED_MESSAGE");
        assertThat(dl.reason()).contains("3 frames");
        // a topic outside the SUB prefixes never reaches the bridge
        double before = count("fedimg.bridge.messages.received", "source", "fedmsg");
        ObjectNode copr = signer(BridgeTestResource.PUNGI_CN).sign(ENVELOPES.envelope(
                "org.fedoraproject.prod.copr.build.start", UUID.randomUUID().toString(),
                java.util.Map.of("status", 3), Instant.now()));
        send("org.fedoraproject.prod.copr.build.start", copr);
        Thread.sleep(1000);
        assertThat(count("fedimg.bridge.messages.received", "source", "fedmsg")).isEqualTo(before);
    }

    private void assertBadSignature(ObjectNode envelope, String why) {
        send(TOPIC, envelope);
        String id = EventIds.derived(envelope.get("msg_id").asText(), "dead-letter", "bridge-fedmsg", "BAD_SIGNATURE");
        DeadLetter dl = Events.deadLetter(probe, d -> d.eventId().equals(id));
        assertThat(dl.reasonCode()).isEqualTo("BAD_SIGNATURE");
        assertThat(dl.reason()).contains(why);
        assertThat(dl.source()).isEqualTo("fedmsg:" + TOPIC);
        assertThat(dl.originalPayload()).contains(envelope.get("msg_id").asText());
    }
}
