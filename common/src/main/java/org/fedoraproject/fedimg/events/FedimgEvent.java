package org.fedoraproject.fedimg.events;

import java.time.Instant;

/**
 * Fields every event carries. {@link #imageKey()} is the Kafka record key, so all events of one
 * image stay in order on one partition (see docs/events.md).
 */
public sealed interface FedimgEvent
        permits ImageReady, AmiRegistered, AmiTested, AmiPublished, ImagePublished, StageStatus, DeadLetter {

    String eventId();

    /** Deterministic: compose id + "/" + image file name. Null only for dead letters of unparseable input. */
    String imageKey();

    String composeId();

    /** Correlates one image's work across services; carried over from the event that caused this one. */
    String traceId();

    Instant time();

    default EventType eventType() {
        return EventType.of(getClass());
    }

    /** The Kafka record key. Events that are compacted per sub-resource override it. */
    default String kafkaKey() {
        return imageKey();
    }
}
