package org.fedoraproject.fedimg.replicator.catalogue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.jboss.logging.Logger;

/**
 * Reads the compacted published topic from the beginning into the {@link PublishedStore}, marks it
 * loaded when it has reached the end offsets it saw at start, and keeps tailing it (so results written by
 * other replicas show up in this replica's catalogue). A plain consumer on its own thread, with manual
 * assignment and no consumer group: every replica reads everything.
 */
public final class PublishedTopicReader implements Runnable {

    private static final Logger LOG = Logger.getLogger(PublishedTopicReader.class);

    private final Map<String, Object> kafkaConfig;
    private final String topic;
    private final PublishedStore store;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public PublishedTopicReader(Map<String, Object> kafkaConfig, String topic, PublishedStore store) {
        this.kafkaConfig = kafkaConfig;
        this.topic = topic;
        this.store = store;
    }

    @Override
    public void run() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "replicator-catalogue-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            List<TopicPartition> partitions = awaitPartitions(c);
            if (partitions == null) {
                return;
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long count = 0;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    apply(r);
                    count++;
                }
                if (!store.isLoaded() && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    LOG.infof("catalogue loaded from %s: %d records, %d images", topic, count, store.imageKeys().size());
                    store.markLoaded();
                }
            }
        } catch (WakeupException e) {
            // shutdown
        } catch (RuntimeException e) {
            LOG.errorf(e, "reading %s failed", topic);
            store.markLoadFailed(e);
        }
    }

    /** Waits for the topic to exist; an absent topic means an empty catalogue until the first write. */
    private List<TopicPartition> awaitPartitions(KafkaConsumer<String, byte[]> c) {
        while (running) {
            var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            store.markLoaded();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            store.remove(r.key());
            return;
        }
        try {
            Header type = r.headers().lastHeader("ce_type");
            String ceType = type == null ? null : new String(type.value(), StandardCharsets.UTF_8);
            boolean perRegion = ceType != null ? EventType.AMI_PUBLISHED.ceType().equals(ceType) : r.key().contains("#");
            if (perRegion) {
                AmiPublished p = EventJson.read(r.value(), AmiPublished.class);
                if (p.sourceAmi() == null || p.sourceAmi().variant() == null || p.region() == null || p.outcome() == null) {
                    LOG.warnf("skipping incomplete AmiPublished %s at %s-%d@%d", r.key(), r.topic(), r.partition(), r.offset());
                    return;
                }
                store.put(p);
            } else if (ceType == null || EventType.IMAGE_PUBLISHED.ceType().equals(ceType)) {
                store.put(EventJson.read(r.value(), ImagePublished.class));
            }
        } catch (RuntimeException e) {
            LOG.warnf("skipping unreadable record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
