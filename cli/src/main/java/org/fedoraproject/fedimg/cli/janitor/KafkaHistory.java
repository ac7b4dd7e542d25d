package org.fedoraproject.fedimg.cli.janitor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.TopicSnapshot;

/**
 * Reads the status, tested and published topics from the beginning up to their end at the time of the
 * call ({@link TopicSnapshot}: no consumer group, nothing committed, no service's offsets move), into a
 * {@link PipelineState}. A failure to read is fatal for the run: the janitor never falls back to age
 * alone when it was asked to consult Kafka.
 */
public final class KafkaHistory {

    static final List<String> TOPICS = List.of(Topics.STATUS, Topics.AMIS_TESTED, Topics.AMIS_PUBLISHED);

    private final String bootstrapServers;
    private final Duration timeout;
    private int malformed;

    public KafkaHistory(String bootstrapServers, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** Records that were not fedimg events; they are skipped (the services dead-letter them). */
    public int malformed() {
        return malformed;
    }

    public PipelineState read() {
        PipelineState state = PipelineState.consulted();
        new TopicSnapshot(bootstrapServers, "fedimg-janitor", timeout)
                .readToEnd(TOPICS, r -> decode(r).ifPresent(state::add));
        return state;
    }

    private Optional<FedimgEvent> decode(ConsumerRecord<String, byte[]> r) {
        Class<? extends FedimgEvent> type = typeOf(r);
        try {
            return Optional.of(EventJson.read(r.value(), type));
        } catch (MalformedEventException e) {
            malformed++;
            return Optional.empty();
        }
    }

    /** By the CloudEvents type header; without one, by the topic (and by shape on the published topic). */
    static Class<? extends FedimgEvent> typeOf(ConsumerRecord<String, byte[]> r) {
        Header ce = r.headers().lastHeader("ce_type");
        if (ce != null) {
            Optional<EventType> t = EventType.ofCeType(new String(ce.value(), StandardCharsets.UTF_8));
            if (t.isPresent()) {
                return t.get().recordClass();
            }
        }
        return switch (r.topic()) {
            case Topics.STATUS -> StageStatus.class;
            case Topics.AMIS_TESTED -> AmiTested.class;
            default -> r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains("\"regions\"")
                    ? ImagePublished.class : AmiPublished.class;
        };
    }
}
