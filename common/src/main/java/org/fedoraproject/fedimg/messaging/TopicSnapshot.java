package org.fedoraproject.fedimg.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics from their beginning up to their end as it was when the read started: the one way fedimg
 * loads what a topic holds (the bridge's dedup store, the replicator's catalogue, the janitor's history,
 * {@code fedimg replay}).
 * <p>
 * It assigns every partition itself, with no consumer group: nothing is committed, no group's offsets move, and
 * there is no wait for a group assignment (a production broker delays a new group's first assignment by
 * {@code group.initial.rebalance.delay.ms}, 3 s by default). It takes the end offsets first and reads until
 * every partition's position has reached them, so it neither stops early on a quiet moment nor waits for one.
 * The whole read is bounded by one timeout; missing it is an error that names the partitions still behind.
 * Records written after the start may be handed over too (they come in the same fetches); none before it are
 * missed. Transactions: only committed records, up to the last stable offset.
 */
public final class TopicSnapshot {

    private final Map<String, Object> config;
    private final Duration timeout;

    /**
     * @param kafkaConfig client settings: at least {@code bootstrap.servers}, plus any security settings; a
     *                    {@code group.id} in it is ignored
     * @param clientId    names this reader in the broker's logs and metrics (a random suffix keeps readers apart)
     * @param timeout     for the whole read, from the first metadata request to the last record
     */
    public TopicSnapshot(Map<String, ?> kafkaConfig, String clientId, Duration timeout) {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-" + UUID.randomUUID().toString().substring(0, 8));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        this.config = c;
        this.timeout = timeout;
    }

    public TopicSnapshot(String bootstrapServers, String clientId, Duration timeout) {
        this(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), clientId, timeout);
    }

    /** Every record of the topic up to its end; an absent topic has none. */
    public List<ConsumerRecord<String, byte[]>> readToEnd(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        readToEnd(List.of(topic), records::add);
        return records;
    }

    /** Hands every record of the topics to {@code sink}, in order within each partition, with a consumer of its own. */
    public void readToEnd(Collection<String> topics, Consumer<ConsumerRecord<String, byte[]>> sink) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            readToEnd(consumer, topics, sink);
        }
    }

    /** A consumer with this reader's settings, for a caller that goes on tailing the topics after reading them. */
    public KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Assigns every partition of the topics to {@code consumer} and reads them to their end. The consumer is
     * left assigned and positioned there, so polling it afterwards tails the topics.
     *
     * @return the partitions assigned; empty when none of the topics exists (yet)
     */
    public List<TopicPartition> readToEnd(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
            Collection<String> topics, Consumer<ConsumerRecord<String, byte[]>> sink) {
        Instant deadline = Instant.now().plus(timeout);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, remaining(deadline))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            if (partitions.isEmpty()) {
                return partitions;
            }
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> behind = new HashMap<>(consumer.endOffsets(partitions, remaining(deadline)));
            consumer.beginningOffsets(partitions, remaining(deadline))
                    .forEach((tp, begin) -> behind.computeIfPresent(tp, (k, end) -> begin >= end ? null : end));
            while (!behind.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new TopicReadException(topics, config, timeout, "these partitions were still short of "
                            + "their end: " + describe(consumer, behind));
                }
                consumer.poll(Duration.ofMillis(200)).forEach(sink);
                behind.entrySet().removeIf(e -> consumer.position(e.getKey(), remaining(deadline)) >= e.getValue());
            }
            return partitions;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new TopicReadException(topics, config, timeout, "the broker did not answer in time (" + e.getMessage()
                    + ")");
        }
    }

    private static String describe(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
            Map<TopicPartition, Long> behind) {
        return behind.entrySet().stream().map(e -> e.getKey() + " at " + position(consumer, e.getKey()) + " of "
                + e.getValue()).sorted().collect(Collectors.joining(", "));
    }

    private static String position(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer, TopicPartition tp) {
        try {
            return String.valueOf(consumer.position(tp, Duration.ofSeconds(1)));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return "an unknown offset";
        }
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** The read did not reach the end within its timeout. */
    public static final class TopicReadException extends IllegalStateException {

        TopicReadException(Collection<String> topics, Map<String, Object> config, Duration timeout, String why) {
            super("reading " + String.join(", ", topics) + " from " + config.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " to its end did not finish within " + timeout + ": " + why);
        }
    }
}
