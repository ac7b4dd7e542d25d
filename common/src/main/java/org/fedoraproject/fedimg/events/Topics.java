package org.fedoraproject.fedimg.events;

/** Kafka topic names; docs/events.md says who produces and who consumes each. */
public final class Topics {
    public static final String IMAGES = "fedimg.images";
    public static final String AMIS_REGISTERED = "fedimg.amis.registered";
    public static final String AMIS_TESTED = "fedimg.amis.tested";
    public static final String AMIS_PUBLISHED = "fedimg.amis.published";
    public static final String STATUS = "fedimg.status";
    public static final String DEAD_LETTER = "fedimg.dead-letter";

    private Topics() {
    }
}
