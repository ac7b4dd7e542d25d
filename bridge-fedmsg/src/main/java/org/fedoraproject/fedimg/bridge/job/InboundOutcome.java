package org.fedoraproject.fedimg.bridge.job;

import java.util.List;

import org.fedoraproject.fedimg.events.ImageReady;

/** What handling one inbound message came to. Every kind except a failure lets the transport ack. */
public record InboundOutcome(Kind kind, List<ImageReady> images, String detail) {

    public enum Kind {
        /** Image events are in Kafka. */
        EMITTED,
        /** A status or topic the bridge does not act on. */
        IGNORED,
        /** Already handled (message id, compose id or image key seen). */
        DUPLICATE,
        /** Bad input; the dead letter is in Kafka. */
        DEAD_LETTERED,
        /** The compose metadata was unreachable: parked in the dedup store for a later attempt (ParkedRetries). */
        RETRY_LATER
    }

    public static InboundOutcome of(Kind kind, String detail) {
        return new InboundOutcome(kind, List.of(), detail);
    }
}
