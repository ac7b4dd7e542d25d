package org.fedoraproject.fedimg.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.FedimgEvent;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * The one way a {@link DeadLetter} is made, for an input that could not be read and for one refused for a
 * reason. The same rules in every service:
 * <ul>
 * <li>{@code source}: the transport and the topic the input was published on: {@code kafka:<topic>},
 * {@code amqp:<routing key>} (fedora-messaging's topic), {@code fedmsg:<topic>};</li>
 * <li>{@code traceId}: the input event's own when it could be read, else derived from the input's identity
 * ({@link Input#id()}), so it is never empty and a redelivery gets the same one;</li>
 * <li>{@code eventId}: derived from the input event's id (else the input's identity), the service and the
 * reason code, so a redelivered input gives the same dead letter;</li>
 * <li>{@code imageKey} and {@code composeId}: the input event's, else what the transport says (the
 * {@code ce_subject} header of a Kafka record, a compose id the caller read);</li>
 * <li>{@code originalPayload}: the bytes as UTF-8 text when they are, else {@code base64:} + base64.</li>
 * </ul>
 */
public final class DeadLetters {

    private final String service;
    private final Input input;
    private final Clock clock;
    private FedimgEvent event;
    private String composeId;

    private DeadLetters(String service, Input input, Clock clock) {
        this.service = service;
        this.input = input;
        this.clock = clock;
    }

    /** A dead letter of {@code service} for this input. */
    public static DeadLetters of(String service, Input input) {
        return new DeadLetters(service, input, Clock.systemUTC());
    }

    /** The input as far as it could be read: its ids, image key, compose and trace go into the dead letter. */
    public DeadLetters about(FedimgEvent readEvent) {
        this.event = readEvent;
        return this;
    }

    /** The compose the input is about, when it is not an event of ours (a bus message). */
    public DeadLetters compose(String id) {
        this.composeId = id;
        return this;
    }

    /** The input could not be read as what the topic carries. */
    public DeadLetter unreadable(String why) {
        return refused(DeadLetterReason.MALFORMED_MESSAGE, why);
    }

    /** The input was understood but cannot be processed, for this reason. */
    public DeadLetter refused(DeadLetterReason code, String why) {
        String inputId = either(event == null ? null : event.eventId(), input.id());
        String trace = either(event == null ? null : event.traceId(), EventIds.derived("trace", input.id()));
        String imageKey = either(event == null ? null : event.imageKey(), input.headers().get("ce_subject"));
        String compose = either(event == null ? null : event.composeId(), composeId);
        return new DeadLetter(EventIds.derived(inputId, "dead-letter", service, code.name()), imageKey, compose, trace,
                clock.instant(), service, input.source(), code.name(), why, payloadText(input.payload()),
                input.headers());
    }

    /**
     * Where an input was read and what it was.
     *
     * @param source  {@code <transport>:<topic>}
     * @param id      the input's identity: the id its transport gives it, else its position or content hash
     * @param payload the bytes as received
     * @param headers its headers or properties, secrets removed
     */
    public record Input(String source, String id, byte[] payload, Map<String, String> headers) {

        public Input {
            headers = headers == null ? Map.of() : headers;
        }

        /**
         * The input with its payload cut to {@code max} bytes when longer, and the header
         * {@code fedimg-original-bytes} saying how long it was: a dead letter must fit in a Kafka record. The
         * identity stays the whole input's.
         */
        public Input truncatedTo(int max) {
            if (payload == null || payload.length <= max) {
                return this;
            }
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("fedimg-original-bytes", String.valueOf(payload.length));
            return new Input(source, id, java.util.Arrays.copyOf(payload, max), h);
        }

        /** A Kafka record: identified by its {@code ce_id} header, else its topic, partition and offset. */
        public static Input kafka(Message<byte[]> record) {
            Map<String, String> headers = new LinkedHashMap<>();
            var meta = record.getMetadata(IncomingKafkaRecordMetadata.class);
            String topic = "unknown";
            String position = null;
            if (meta.isPresent()) {
                IncomingKafkaRecordMetadata<?, ?> m = meta.get();
                topic = m.getTopic();
                position = m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset();
                for (Header h : m.getHeaders()) {
                    headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
                }
            }
            String id = headers.get("ce_id") != null ? headers.get("ce_id")
                    : position != null ? position : contentId(record.getPayload());
            return new Input("kafka:" + topic, id, record.getPayload(), headers);
        }

        /**
         * A message of a bus.
         *
         * @param transport {@code amqp} or {@code fedmsg}
         * @param topic     the routing key or topic frame, null if unknown
         * @param messageId the transport's message id; null: the payload's hash identifies it
         */
        public static Input bus(String transport, String topic, String messageId, byte[] payload,
                Map<String, String> headers) {
            return new Input(transport + (topic == null ? "" : ":" + topic),
                    messageId != null ? messageId : contentId(payload), payload, headers);
        }
    }

    /** UTF-8 text as is; anything else base64 with a "base64:" prefix (the DeadLetter contract). */
    public static String payloadText(byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(payload);
        }
    }

    private static String contentId(byte[] payload) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(payload == null ? new byte[0] : payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the input event says, else the fallback. */
    private static String either(String fromEvent, String fallback) {
        return fromEvent != null && !fromEvent.isBlank() ? fromEvent : fallback;
    }
}
