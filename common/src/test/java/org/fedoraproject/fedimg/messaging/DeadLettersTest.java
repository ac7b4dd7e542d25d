package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.messaging.DeadLetters.Input;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    static final String TOPIC = "org.fedoraproject.prod.pungi.compose.status.change";
    static final ImageReady EVENT = new ImageReady("event-1", "C-1/f.raw.xz", "C-1", "trace-1",
            Instant.parse("2024-10-20T12:00:00Z"), new ImageSpec("https://x/f.raw.xz", "f.raw.xz", "f", "ab", 1,
                    "x86_64", "41", "production", "Cloud", "Cloud_Base", 0), false, "msg-1");

    @Test
    void anUnreadableInputGetsItsSourceAndADeterministicIdAndTrace() {
        Input input = Input.bus("amqp", TOPIC, "msg-1", "{not json".getBytes(StandardCharsets.UTF_8),
                Map.of("priority", "0"));
        DeadLetter dl = DeadLetters.of("bridge-fedmsg", input).unreadable("message is not JSON");
        assertThat(dl.source()).isEqualTo("amqp:" + TOPIC);
        assertThat(dl.reasonCode()).isEqualTo("MALFORMED_MESSAGE");
        assertThat(dl.reason()).isEqualTo("message is not JSON");
        assertThat(dl.service()).isEqualTo("bridge-fedmsg");
        assertThat(dl.originalPayload()).isEqualTo("{not json");
        assertThat(dl.originalHeaders()).containsEntry("priority", "0");
        assertThat(dl.imageKey()).isNull();
        assertThat(dl.composeId()).isNull();
        assertThat(dl.traceId()).isEqualTo(EventIds.derived("trace", "msg-1"));
        assertThat(dl.eventId()).isEqualTo(EventIds.derived("msg-1", "dead-letter", "bridge-fedmsg", "MALFORMED_MESSAGE"));
        DeadLetter again = DeadLetters.of("bridge-fedmsg", input).unreadable("message is not JSON");
        assertThat(again.eventId()).isEqualTo(dl.eventId());
        assertThat(again.traceId()).isEqualTo(dl.traceId());
    }

    @Test
    void aRefusedEventKeepsItsTraceImageComposeAndPayload() {
        Input input = new Input("kafka:fedimg.images", "ce-1", EventJson.write(EVENT), Map.of("ce_id", "ce-1"));
        DeadLetter dl = DeadLetters.of("uploader", input).about(EVENT).refused(DeadLetterReason.CHECKSUM_MISMATCH,
                "sha differs");
        assertThat(dl.reasonCode()).isEqualTo("CHECKSUM_MISMATCH");
        assertThat(dl.reason()).isEqualTo("sha differs");
        assertThat(dl.source()).isEqualTo("kafka:fedimg.images");
        assertThat(dl.imageKey()).isEqualTo("C-1/f.raw.xz");
        assertThat(dl.composeId()).isEqualTo("C-1");
        assertThat(dl.traceId()).isEqualTo("trace-1");
        assertThat(dl.originalPayload()).isEqualTo(new String(EventJson.write(EVENT), StandardCharsets.UTF_8));
        assertThat(dl.eventId()).isEqualTo(EventIds.derived("event-1", "dead-letter", "uploader", "CHECKSUM_MISMATCH"));
        assertThat(dl.kafkaKey()).isEqualTo("C-1/f.raw.xz");
    }

    @Test
    void whatTheTransportSaysFillsInForAnUnreadableEvent() {
        Input input = new Input("kafka:fedimg.amis.registered", "fedimg.amis.registered/0@7", new byte[] {'x'},
                Map.of("ce_subject", "C-1/f.raw.xz"));
        DeadLetter dl = DeadLetters.of("tester", input).compose("C-1").unreadable("not an AmiRegistered");
        assertThat(dl.imageKey()).isEqualTo("C-1/f.raw.xz");
        assertThat(dl.composeId()).isEqualTo("C-1");
        assertThat(dl.traceId()).isEqualTo(EventIds.derived("trace", "fedimg.amis.registered/0@7"));
    }

    @Test
    void anEventWithoutTraceOrIdFallsBackToTheInput() {
        ImageReady half = new ImageReady(null, "C-1/f.raw.xz", "C-1", " ", EVENT.time(), null, false, null);
        DeadLetter dl = DeadLetters.of("uploader", new Input("kafka:fedimg.images", "ce-9", new byte[0], null))
                .about(half).unreadable("eventId is missing");
        assertThat(dl.traceId()).isEqualTo(EventIds.derived("trace", "ce-9"));
        assertThat(dl.eventId()).isEqualTo(EventIds.derived("ce-9", "dead-letter", "uploader", "MALFORMED_MESSAGE"));
        assertThat(dl.originalHeaders()).isEmpty();
    }

    @Test
    void binaryPayloadsAreBase64AndWithoutAnIdTheContentIdentifiesTheInput() {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
        Input a = Input.bus("fedmsg", "org.fedoraproject.prod.pungi.compose.status.change", null, binary, Map.of());
        Input b = Input.bus("fedmsg", null, null, binary, Map.of());
        assertThat(a.id()).isEqualTo(b.id()).startsWith("sha256:");
        assertThat(b.source()).isEqualTo("fedmsg");
        assertThat(Input.bus("fedmsg", null, null, new byte[] {1}, Map.of()).id()).isNotEqualTo(a.id());
        assertThat(DeadLetters.of("bridge-fedmsg", a).refused(DeadLetterReason.BAD_SIGNATURE, "bad").originalPayload())
                .isEqualTo("base64:" + Base64.getEncoder().encodeToString(binary));
        assertThat(DeadLetters.payloadText(null)).isNull();
    }

    @Test
    void aLongPayloadIsCutAndSaysHowLongItWas() {
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'x');
        DeadLetters.Input input = DeadLetters.Input.bus("amqp", "t", "m-1", big, Map.of("a", "b")).truncatedTo(1000);
        DeadLetter dl = DeadLetters.of("bridge-fedmsg", input).refused(DeadLetterReason.INPUT_TOO_LARGE, "big");
        assertThat(dl.originalPayload()).hasSize(1000);
        assertThat(dl.originalHeaders()).containsEntry("fedimg-original-bytes", "300000").containsEntry("a", "b");
        assertThat(DeadLetters.Input.bus("amqp", "t", "m-1", new byte[10], Map.of()).truncatedTo(1000).payload())
                .hasSize(10);
    }
}
