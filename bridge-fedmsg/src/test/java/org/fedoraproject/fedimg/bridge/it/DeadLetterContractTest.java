package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every dead letter the bridge writes, from a real input, checked as the record on the topic against
 * {@code dead-letter.v1.json}: each reason a fedora-messaging compose message is refused for, and an
 * unreadable record on each Kafka topic the bridge reads. fedmsg's BAD_SIGNATURE (its PUB socket belongs to
 * {@link FedmsgInboundTest}) is checked the same way there, through {@link Events#deadLetter}. The manual
 * trigger writes no dead letter: it answers its caller (IMAGE_NOT_FOUND is one of those answers).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
class DeadLetterContractTest {

    static final String KEY = "org.fedoraproject.prod.pungi.compose.status.change";
    static TopicProbe probe;
    static AmqpTestClient amqp;

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
    void everyReasonIsADeadLetterThatMatchesTheSchema() {
        String run = String.valueOf(ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
        Map<String, Predicate<DeadLetter>> expected = new LinkedHashMap<>();
        Map<String, String> messageIds = new LinkedHashMap<>();

        String notJson = "this is not json { " + run;
        messageIds.put("MALFORMED_MESSAGE", publish(notJson.getBytes(StandardCharsets.UTF_8)));
        expected.put("MALFORMED_MESSAGE", d -> notJson.equals(d.originalPayload()));

        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, (byte) run.hashCode()};
        String base64 = "base64:" + Base64.getEncoder().encodeToString(binary);
        messageIds.put("binary", publish(binary));
        expected.put("binary", d -> base64.equals(d.originalPayload()));

        String exploded = "Fedora-41-20250301." + run;
        messageIds.put("UNKNOWN_STATUS", publish(SampleComposes.pungiBody(exploded, "EXPLODED", null)));
        expected.put("UNKNOWN_STATUS", d -> d.originalPayload() != null && d.originalPayload().contains(exploded));

        String nowhere = "Fedora-41-20250302." + run;
        messageIds.put("UNKNOWN_COMPOSE", publish(SampleComposes.pungiBody(nowhere, "FINISHED", null)));
        expected.put("UNKNOWN_COMPOSE", d -> nowhere.equals(d.composeId()));

        String unserved = "Fedora-41-20250303." + run;
        messageIds.put("METADATA_NOT_FOUND", publish(SampleComposes.pungiBody(unserved, "FINISHED",
                "https://kojipkgs.fedoraproject.org/compose/41/" + unserved + "/compose")));
        expected.put("METADATA_NOT_FOUND", d -> unserved.equals(d.composeId()));

        String broken = "Fedora-41-20250304." + run;
        String brokenAt = "https://kojipkgs.fedoraproject.org/compose/41/" + broken + "/compose";
        Www.put(Www.imagesJsonPath(brokenAt), "{\"header\": {\"type\": \"productmd.images\", \"payl");
        messageIds.put("METADATA_INVALID", publish(SampleComposes.pungiBody(broken, "FINISHED", brokenAt)));
        expected.put("METADATA_INVALID", d -> broken.equals(d.composeId()));

        String qcowOnly = "Fedora-Cloud-41-20250305." + run;
        String qcowAt = "https://kojipkgs.fedoraproject.org/compose/cloud/" + qcowOnly + "/compose";
        Www.put(Www.imagesJsonPath(qcowAt), SampleComposes.imagesJson(qcowOnly, "production", Map.of("Cloud",
                Map.of("x86_64", List.of(SampleComposes.image("x86_64", "Cloud_Base", "qcow2", "qcow2",
                        "Cloud/x86_64/images/Fedora-Cloud-Base-41-1.5.x86_64.qcow2", SampleComposes.sha('8'),
                        400_000_000L))))));
        messageIds.put("NO_EC2_IMAGES", publish(SampleComposes.pungiBody(qcowOnly, "FINISHED", qcowAt)));
        expected.put("NO_EC2_IMAGES", d -> qcowOnly.equals(d.composeId()));

        // a message naming the instance metadata service: refused before anything is fetched
        String metadataService = "Fedora-41-20250306." + run;
        messageIds.put("UNTRUSTED_SOURCE", publish(SampleComposes.pungiBody(metadataService, "FINISHED",
                "http://169.254.169.254/latest/meta-data/" + metadataService)));
        expected.put("UNTRUSTED_SOURCE", d -> metadataService.equals(d.composeId()));

        // a location on the compose host, but through file:
        String local = "Fedora-41-20250307." + run;
        messageIds.put("file", publish(SampleComposes.pungiBody(local, "FINISHED",
                "file:///mnt/koji/compose/41/" + local + "/compose")));
        expected.put("file", d -> local.equals(d.composeId()));

        // a message beyond fedimg.bridge.inbound.max-message-bytes (64 KiB in the test profile)
        String big = "Fedora-41-20250308." + run;
        String bigBody = SampleComposes.pungiBody(big, "FINISHED", null).replace("{", "{\"padding\": \""
                + "x".repeat(70_000) + "\", ");
        messageIds.put("INPUT_TOO_LARGE", publish(bigBody));
        expected.put("INPUT_TOO_LARGE", d -> d.originalPayload() != null && d.originalPayload().contains(big));

        // an images.json beyond fedimg.bridge.compose.max-metadata-bytes (1 MiB in the test profile)
        String huge = "Fedora-Cloud-41-20250309." + run;
        String hugeAt = "https://kojipkgs.fedoraproject.org/compose/cloud/" + huge + "/compose";
        Www.put(Www.imagesJsonPath(hugeAt), SampleComposes.ec2ComposeImagesJson(huge, "41")
                .replaceFirst("\\{", "{\"padding\": \"" + "y".repeat(1_200_000) + "\", "));
        messageIds.put("hugeMetadata", publish(SampleComposes.pungiBody(huge, "FINISHED", hugeAt)));
        expected.put("hugeMetadata", d -> huge.equals(d.composeId()));

        String status = "not a status " + run;
        probe.sendRaw(Topics.STATUS, "garbage", status.getBytes(StandardCharsets.UTF_8));
        expected.put(Topics.STATUS, d -> status.equals(d.originalPayload()));
        String published = "not an image " + run;
        probe.sendRaw(Topics.AMIS_PUBLISHED, "garbage", published.getBytes(StandardCharsets.UTF_8));
        expected.put(Topics.AMIS_PUBLISHED, d -> published.equals(d.originalPayload()));

        Map<String, DeadLetter> letters = DeadLetterContract.await(probe, Events.WAIT, expected);

        assertThat(letters.values()).allSatisfy(d -> {
            assertThat(d.service()).isEqualTo("bridge-fedmsg");
            assertThat(d.traceId()).isNotBlank();
        });
        messageIds.forEach((name, id) -> {
            DeadLetter d = letters.get(name);
            String reason = "binary".equals(name) ? "MALFORMED_MESSAGE"
                    : "file".equals(name) ? "UNTRUSTED_SOURCE"
                    : "hugeMetadata".equals(name) ? "INPUT_TOO_LARGE" : name;
            assertThat(d.reasonCode()).as(name).isEqualTo(reason);
            assertThat(d.source()).as(name).isEqualTo("amqp:" + KEY);
            assertThat(d.eventId()).as(name).isEqualTo(EventIds.derived(id, "dead-letter", "bridge-fedmsg", reason));
        });
        assertThat(letters.get("UNTRUSTED_SOURCE").reason()).contains("http://169.254.169.254/latest/meta-data/");
        assertThat(letters.get("INPUT_TOO_LARGE").reason()).contains("max-message-bytes");
        assertThat(letters.get("hugeMetadata").reason()).contains("images.json").contains("1048576");
        assertThat(letters.get("file").reason()).contains("file:///mnt/koji/compose/41/");
        for (String topic : List.of(Topics.STATUS, Topics.AMIS_PUBLISHED)) {
            assertThat(letters.get(topic).reasonCode()).isEqualTo("MALFORMED_MESSAGE");
            assertThat(letters.get(topic).source()).isEqualTo("kafka:" + topic);
        }
    }

    /** Publishes with a message id of its own, which the bus path uses for the dead letter's ids. */
    private static String publish(String body) {
        return publish(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String publish(byte[] body) {
        String id = UUID.randomUUID().toString();
        amqp.publish(KEY, id, body);
        return id;
    }
}
