package org.fedoraproject.fedimg.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * The versioned CloudEvents types. A breaking change to a record gets a new version suffix and a new
 * constant; adding an optional field does not (see "Versioning" in docs/events.md).
 */
public enum EventType {
    IMAGE_READY("org.fedoraproject.fedimg.image.ready.v1", Topics.IMAGES, ImageReady.class),
    AMI_REGISTERED("org.fedoraproject.fedimg.ami.registered.v1", Topics.AMIS_REGISTERED, AmiRegistered.class),
    AMI_TESTED("org.fedoraproject.fedimg.ami.tested.v1", Topics.AMIS_TESTED, AmiTested.class),
    AMI_PUBLISHED("org.fedoraproject.fedimg.ami.published.v1", Topics.AMIS_PUBLISHED, AmiPublished.class),
    IMAGE_PUBLISHED("org.fedoraproject.fedimg.image.published.v1", Topics.AMIS_PUBLISHED, ImagePublished.class),
    STAGE_STATUS("org.fedoraproject.fedimg.stage.status.v1", Topics.STATUS, StageStatus.class),
    DEAD_LETTER("org.fedoraproject.fedimg.dead-letter.v1", Topics.DEAD_LETTER, DeadLetter.class);

    private final String ceType;
    private final String topic;
    private final Class<? extends FedimgEvent> recordClass;

    EventType(String ceType, String topic, Class<? extends FedimgEvent> recordClass) {
        this.ceType = ceType;
        this.topic = topic;
        this.recordClass = recordClass;
    }

    public String ceType() {
        return ceType;
    }

    public String topic() {
        return topic;
    }

    public Class<? extends FedimgEvent> recordClass() {
        return recordClass;
    }

    /** The JSON Schema on the classpath, e.g. {@code /schemas/ami.registered.v1.json}. */
    public String schemaResource() {
        return "/schemas/" + ceType.substring("org.fedoraproject.fedimg.".length()) + ".json";
    }

    public static EventType of(Class<?> recordClass) {
        return Arrays.stream(values()).filter(t -> t.recordClass == recordClass).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an event record: " + recordClass));
    }

    public static Optional<EventType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }
}
