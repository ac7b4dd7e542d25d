package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.fedoraproject.fedimg.bridge.support.AmqpTestClient;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.SharedData;
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

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** fedora-messaging in: real AMQP broker, real Kafka, compose metadata over HTTP. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
class AmqpInboundTest {

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

    double count(String name, String... tags) {
        var search = registry.find(name).tags(tags);
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    void everyPungiFixtureGivesTheExpectedImagesOrDeadLetter() throws Exception {
        Path fixtures = SharedData.fixtures();
        Path pungi = fixtures.resolve("pungi");
        Www.link(Www.imagesJsonPath("https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28/compose"),
                fixtures.resolve("compose/images-Fedora-28-20180425.0.json"));
        double ignoredBefore = count("fedimg.bridge.messages.handled", "source", "amqp", "outcome", "ignored");
        List<Path> files;
        try (var s = Files.list(pungi)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSize(7);
        for (Path f : files) {
            JsonNode root = EventJson.MAPPER.readTree(Files.readAllBytes(f));
            // hub shape: fedora-messaging carries the whole envelope as body, with message_id = msg_id (bridged)
            JsonNode body = root.has("body") ? root.get("body") : root;
            String id = body.path("msg_id").asText(null);
            String topic = root.path("topic").asText(KEY);
            amqp.publish(topic, id, EventJson.MAPPER.writeValueAsBytes(body));
        }

        JsonNode metadata = EventJson.MAPPER.readTree(Files.readAllBytes(
                fixtures.resolve("compose/images-Fedora-28-20180425.0.json")));
        List<ImageReady> f28 = Events.images(probe, "Fedora-28-20180425.0", 2);
        assertThat(f28).extracting(ImageReady::imageKey).containsExactlyInAnyOrder(
                "Fedora-28-20180425.0/Fedora-Cloud-Base-28-1.1.x86_64.raw.xz",
                "Fedora-28-20180425.0/Fedora-Cloud-Base-28-1.1.aarch64.raw.xz");
        for (ImageReady e : f28) {
            JsonNode expected = null;
            for (JsonNode i : metadata.at("/payload/images/Cloud/" + e.image().arch())) {
                if (i.get("path").asText().endsWith(e.image().fileName())) {
                    expected = i;
                }
            }
            assertThat(expected).isNotNull();
            assertThat(e.image().url()).isEqualTo("https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28/compose/"
                    + expected.get("path").asText());
            assertThat(e.image().sha256()).isEqualTo(expected.at("/checksums/sha256").asText());
            assertThat(e.image().sizeBytes()).isEqualTo(expected.get("size").asLong());
            assertThat(e.image().release()).isEqualTo("28");
            assertThat(e.image().composeType()).isEqualTo("production");
            assertThat(e.image().variant()).isEqualTo("Cloud");
            assertThat(e.image().subvariant()).isEqualTo("Cloud_Base");
            assertThat(e.image().respin()).isZero();
            assertThat(e.force()).isFalse();
            assertThat(e.sourceMessageId()).isEqualTo("2018-8c8c2c46-e5f8-4fe3-8f8b-80dd18b21947");
            assertThat(e.eventId()).isEqualTo(EventIds.derived(e.sourceMessageId(), e.imageKey()));
        }
        assertThat(f28.get(0).traceId()).isEqualTo(f28.get(1).traceId());

        // no metadata served for these two: images.json 404
        for (String composeId : List.of("Fedora-Rawhide-20180426.n.0", "Fedora-24-20151208.n.7")) {
            DeadLetter dl = Events.deadLetter(probe, d -> composeId.equals(d.composeId()));
            assertThat(dl.reasonCode()).isEqualTo("METADATA_NOT_FOUND");
            assertThat(dl.reason()).contains("404");
            assertThat(dl.originalPayload()).contains(composeId);
        }
        // STARTED x2, TERMINATED, DOOMED: counted and ignored, no events, no dead letters
        await().atMost(Duration.ofSeconds(30)).until(() ->
                count("fedimg.bridge.messages.handled", "source", "amqp", "outcome", "ignored") - ignoredBefore >= 4);
        assertThat(count("fedimg.bridge.messages.received", "source", "amqp", "status", "DOOMED")).isGreaterThanOrEqualTo(1);
        assertThat(count("fedimg.bridge.messages.received", "source", "amqp", "status", "TERMINATED")).isGreaterThanOrEqualTo(1);
        assertThat(Events.imagesNow(probe, "Fedora-28-20180321.n.0")).isEmpty();
        assertThat(Events.deadLettersNow(probe, d -> "Fedora-Modular-Bikeshed-20180215.n.0".equals(d.composeId())
                || "Fedora-28-20180321.n.0".equals(d.composeId()))).isEmpty();
        assertQueueDrained();
    }

    @Test
    void plainBodyGivesTheAmazonEc2ImagesAndRedeliveryIsDeduplicated() {
        String composeId = "Fedora-41-20241027.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/41/" + composeId + "/compose";
        Www.put(Www.imagesJsonPath(location), SampleComposes.ec2ComposeImagesJson(composeId, "41"));
        String id = UUID.randomUUID().toString();
        String body = SampleComposes.pungiBody(composeId, "FINISHED", location);
        amqp.publish(KEY, id, body);
        List<ImageReady> events = Events.images(probe, composeId, 2);
        assertThat(events).extracting(e -> e.image().fileName()).containsExactlyInAnyOrder(
                "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz", "Fedora-Cloud-Base-AmazonEC2-41-1.4.aarch64.raw.xz");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.sourceMessageId()).isEqualTo(id);
            assertThat(e.image().url()).startsWith(location + "/Cloud/");
            assertThat(e.image().name()).isEqualTo(e.image().fileName().replace(".raw.xz", ""));
        });
        ImageReady arm = events.stream().filter(e -> e.image().arch().equals("aarch64")).findFirst().orElseThrow();
        assertThat(arm.image().sha256()).isEqualTo(SampleComposes.sha('4'));
        assertThat(arm.image().sizeBytes()).isEqualTo(490_000_000L);
        assertThat(arm.image().ec2Architecture()).isEqualTo("arm64");

        double byMessage = count("fedimg.bridge.duplicates", "kind", "message");
        double byCompose = count("fedimg.bridge.duplicates", "kind", "compose");
        amqp.publish(KEY, id, body); // redelivery of the same message
        amqp.publish(KEY, UUID.randomUUID().toString(), body); // a replay with a new id: same compose
        await().atMost(Duration.ofSeconds(30)).until(() -> count("fedimg.bridge.duplicates", "kind", "message") > byMessage
                && count("fedimg.bridge.duplicates", "kind", "compose") > byCompose);
        assertThat(Events.imagesNow(probe, composeId)).hasSize(2);
        assertQueueDrained();
    }

    /**
     * Two copies of one message handled at the same time (local mode's fedmsg publisher sends again every 2 s until it
     * sees images; a slow metadata server keeps the first in flight): one set of images, the second a duplicate.
     */
    @Test
    void twoCopiesInFlightTogetherGiveOneSetOfImages() {
        String composeId = "Fedora-41-20241029.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/41/" + composeId + "/compose";
        String path = Www.imagesJsonPath(location);
        Www.put(path, SampleComposes.ec2ComposeImagesJson(composeId, "41"));
        Www.put(path + ".delay", "2000");
        double byMessage = count("fedimg.bridge.duplicates", "kind", "message");
        String id = UUID.randomUUID().toString();
        String body = SampleComposes.pungiBody(composeId, "FINISHED", location);
        amqp.publish(KEY, id, body);
        amqp.publish(KEY, id, body);
        assertThat(Events.images(probe, composeId, 2)).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> count("fedimg.bridge.duplicates", "kind", "message") > byMessage);
        assertThat(Events.imagesNow(probe, composeId)).as("images of both copies").hasSize(2);
        assertQueueDrained();
    }

    @Test
    void wrappedEnvelopeBodyIsAccepted() {
        String composeId = "Fedora-41-20241028.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/41/" + composeId + "/compose";
        Www.put(Www.imagesJsonPath(location), SampleComposes.ec2ComposeImagesJson(composeId, "41"));
        String wrapped = "{\"msg_id\": \"2024-0b1f5f6e-7d5e-4c2a-9d65-5b0c1d7a1e01\", \"i\": 1, \"timestamp\": 1730000000,"
                + " \"username\": \"root\", \"topic\": \"" + KEY + "\", \"msg\": "
                + SampleComposes.pungiBody(composeId, "FINISHED_INCOMPLETE", location) + "}";
        amqp.publish(KEY, null, wrapped);
        List<ImageReady> events = Events.images(probe, composeId, 2);
        assertThat(events).allSatisfy(e -> assertThat(e.sourceMessageId())
                .isEqualTo("2024-0b1f5f6e-7d5e-4c2a-9d65-5b0c1d7a1e01"));
    }

    @Test
    void badInputIsDeadLetteredWithItsReasonAndAcked() {
        String notJson = "this is not json {";
        String notJsonId = UUID.randomUUID().toString();
        amqp.publish(KEY, notJsonId, notJson);
        DeadLetter dl = Events.deadLetter(probe, d -> d.eventId().equals(EventIds.derived(notJsonId, "dead-letter",
                "bridge-fedmsg", "MALFORMED_MESSAGE")));
        assertThat(dl.originalPayload()).isEqualTo(notJson);
        assertThat(dl.reason()).contains("not JSON");
        assertThat(dl.service()).isEqualTo("bridge-fedmsg");
        assertThat(dl.source()).isEqualTo("amqp:" + KEY);

        amqp.publish(KEY, UUID.randomUUID().toString(), "{\"compose_id\": \"Fedora-41-20241101.0\", \"status\": \"EXPLODED\"}");
        assertThat(Events.deadLetter(probe, d -> "Fedora-41-20241101.0".equals(d.composeId())
                || (d.originalPayload() != null && d.originalPayload().contains("EXPLODED"))).reasonCode())
                .isEqualTo("UNKNOWN_STATUS");

        amqp.publish(KEY, UUID.randomUUID().toString(), "{\"compose_id\": \"Fedora-41-20241102.0\"}");
        assertThat(Events.deadLetter(probe, d -> d.originalPayload() != null
                && d.originalPayload().contains("Fedora-41-20241102.0")).reasonCode()).isEqualTo("MALFORMED_MESSAGE");

        String qcow = "https://kojipkgs.fedoraproject.org/compose/" + SampleComposes.QCOW_ONLY + "/compose";
        Www.put(Www.imagesJsonPath(qcow), SampleComposes.qcowOnlyImagesJson());
        amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(SampleComposes.QCOW_ONLY, "FINISHED", qcow));
        assertThat(Events.deadLetter(probe, d -> SampleComposes.QCOW_ONLY.equals(d.composeId())).reasonCode())
                .isEqualTo("NO_EC2_IMAGES");

        String broken = "https://kojipkgs.fedoraproject.org/compose/Fedora-41-20241103.0/compose";
        Www.put(Www.imagesJsonPath(broken), "{\"header\": {\"type\": \"productmd.images\", \"version\": \"1.2\"}, \"payl");
        amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody("Fedora-41-20241103.0", "FINISHED", broken));
        assertThat(Events.deadLetter(probe, d -> "Fedora-41-20241103.0".equals(d.composeId())).reasonCode())
                .isEqualTo("METADATA_INVALID");

        // a latest-* location that has moved on to another compose
        String moved = "https://kojipkgs.fedoraproject.org/compose/41/latest-Fedora-41/compose";
        Www.put(Www.imagesJsonPath(moved), SampleComposes.ec2ComposeImagesJson("Fedora-41-20241231.0", "41"));
        amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody("Fedora-41-20241104.0", "FINISHED", moved));
        DeadLetter mismatch = Events.deadLetter(probe, d -> "Fedora-41-20241104.0".equals(d.composeId()));
        assertThat(mismatch.reasonCode()).isEqualTo("METADATA_INVALID");
        assertThat(mismatch.reason()).contains("Fedora-41-20241231.0");
        assertThat(Events.imagesNow(probe, "Fedora-41-20241104.0")).isEmpty();
        assertThat(count("fedimg.bridge.dead.letters", "reason", "NO_EC2_IMAGES")).isGreaterThanOrEqualTo(1);
        assertQueueDrained();
    }

    @Test
    void aFailingMetadataServerIsRetriedThroughNackAndRedelivery() {
        String composeId = "Fedora-42-20250101.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/42/" + composeId + "/compose";
        String path = Www.imagesJsonPath(location);
        Www.put(path, SampleComposes.ec2ComposeImagesJson(composeId, "42"));
        // %test: 1 in-process retry per delivery, so 3 failures need a nack and a redelivery
        Www.failNext(path, 3);
        amqp.publish(KEY, UUID.randomUUID().toString(), SampleComposes.pungiBody(composeId, "FINISHED", location));
        assertThat(Events.images(probe, composeId, 2)).hasSize(2);
        assertThat(count("fedimg.bridge.messages.received", "source", "amqp", "status", "FINISHED"))
                .isGreaterThanOrEqualTo(2);
        assertQueueDrained();
    }

    private void assertQueueDrained() {
        String queue = System.getProperty("bridge.test.queue");
        await().atMost(Duration.ofSeconds(30)).until(() -> amqp.readyCount(queue) == 0);
    }
}
