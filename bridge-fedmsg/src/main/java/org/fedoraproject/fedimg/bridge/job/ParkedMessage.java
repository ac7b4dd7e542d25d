package org.fedoraproject.fedimg.bridge.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.fedoraproject.fedimg.messaging.EventJson;

/**
 * A bus message waiting for another attempt after its compose metadata was unreachable, as kept in the dedup
 * store: the message itself (so it can leave the bus queue) and its retry budget so far.
 *
 * @param attempts     failed attempts so far (each after the in-process retries)
 * @param firstFailure when the first attempt failed: the time cap counts from here
 * @param nextAttempt  not before this
 * @param cause        the last failure, as the dead letter will say it
 */
public record ParkedMessage(String source, String transportId, String topic, String payloadBase64,
        Map<String, String> headers, int attempts, Instant firstFailure, Instant nextAttempt, String cause) {

    public static ParkedMessage of(InboundMessage in, int attempts, Instant first, Instant next, String cause) {
        return new ParkedMessage(in.source(), in.transportId(), in.topic(),
                Base64.getEncoder().encodeToString(in.payload() == null ? new byte[0] : in.payload()), in.headers(),
                attempts, first, next, cause);
    }

    public InboundMessage message() {
        return new InboundMessage(source, transportId, topic, Base64.getDecoder().decode(payloadBase64),
                headers == null ? Map.of() : headers);
    }

    public boolean due(Instant now) {
        return !now.isBefore(nextAttempt);
    }

    public Duration waited(Instant now) {
        return Duration.between(firstFailure, now);
    }

    public byte[] bytes() {
        try {
            return EventJson.MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ParkedMessage read(byte[] bytes) {
        try {
            return EventJson.MAPPER.readValue(bytes, ParkedMessage.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
