package org.fedoraproject.fedimg.cli.janitor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;

/**
 * Reads the status, tested and published topics from the beginning up to their end at the time of the
 * call, without a consumer group (nothing is committed, no service's offsets move), into a
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
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties())) {
            List<TopicPartition> partitions = new ArrayList<>();
            Map<String, List<PartitionInfo>> existing = consumer.listTopics(remaining(deadline));
            for (String topic : TOPICS) {
                existing.getOrDefault(topic, List.of())
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            if (partitions.isEmpty()) {
                return state;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, remaining(deadline)));
            while (!caughtUp(consumer, end)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + TOPICS + " from " + bootstrapServers
                            + " did not finish within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    decode(r).ifPresent(state::add);
                }
            }
        }
        return state;
    }

    private boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        return end.isEmpty();
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

    private Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "fedimg-janitor");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
