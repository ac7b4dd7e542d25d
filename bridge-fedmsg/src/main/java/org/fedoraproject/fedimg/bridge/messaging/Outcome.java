package org.fedoraproject.fedimg.bridge.messaging;

import java.util.List;

import org.fedoraproject.fedimg.events.ImageReady;

/** What handling one inbound message came to. Every kind except a failure lets the transport ack. */
public record Outcome(Kind kind, List<ImageReady> images, String detail) {

    public enum Kind {
        /** Image events are in Kafka. */
        EMITTED,
        /** A status or topic the bridge does not act on. */
        IGNORED,
        /** Already handled (message id, compose id or image key seen). */
        DUPLICATE,
        /** Bad input; the dead letter is in Kafka. */
        DEAD_LETTERED
    }

    public static Outcome of(Kind kind, String detail) {
        return new Outcome(kind, List.of(), detail);
    }
}
