package org.fedoraproject.fedimg.events;

import java.time.Instant;
import java.util.Map;

/**
 * Input that cannot be processed, with the reason. Never retried automatically; an operator fixes the
 * cause and replays (docs/events.md, "Dead letters").
 *
 * @param reasonCode      one of {@link DeadLetterReason}
 * @param originalPayload the input exactly as received (UTF-8; binary input is base64 with a "base64:" prefix)
 */
public record DeadLetter(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        String service,
        String source,
        String reasonCode,
        String reason,
        String originalPayload,
        Map<String, String> originalHeaders) implements FedimgEvent {

    @Override
    public String kafkaKey() {
        return imageKey != null ? imageKey : eventId;
    }
}
