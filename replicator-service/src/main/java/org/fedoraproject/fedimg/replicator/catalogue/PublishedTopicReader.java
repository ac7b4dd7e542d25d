package org.fedoraproject.fedimg.replicator.catalogue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.TopicSnapshot;
import org.jboss.logging.Logger;

/**
 * Reads the compacted published topic from the beginning into the {@link PublishedStore}, marks it
 * loaded when it has reached the end offsets it saw at start ({@link TopicSnapshot}), and keeps tailing it (so
 * results written by other replicas show up in this replica's catalogue). A plain consumer on its own thread,
 * with manual assignment and no consumer group: every replica reads everything.
 */
public final class PublishedTopicReader implements Runnable {

    private static final Logger LOG = Logger.getLogger(PublishedTopicReader.class);

    private final TopicSnapshot snapshot;
    private final String topic;
    private final PublishedStore store;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    public PublishedTopicReader(Map<String, Object> kafkaConfig, String topic, Duration loadTimeout, PublishedStore store) {
        this.snapshot = new TopicSnapshot(kafkaConfig, "replicator-catalogue", loadTimeout);
        this.topic = topic;
        this.store = store;
    }

    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> c = snapshot.consumer()) {
            consumer = c;
            load(c);
            while (running) {
                c.poll(Duration.ofMillis(500)).forEach(this::apply);
            }
        } catch (WakeupException e) {
            // shutdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "reading %s failed", topic);
            store.markLoadFailed(e);
        }
    }

    /**
     * Reads the topic to its end, then marks the store loaded. An absent topic is an empty catalogue until it
     * appears; a read that misses its deadline starts over (applying the log again gives the same state).
     */
    private void load(KafkaConsumer<String, byte[]> c) throws InterruptedException {
        while (running) {
            long[] count = {0};
            try {
                if (snapshot.readToEnd(c, List.of(topic), r -> {
                    apply(r);
                    count[0]++;
                }).isEmpty()) {
                    store.markLoaded();
                    Thread.sleep(1000);
                    continue;
                }
            } catch (TopicSnapshot.TopicReadException e) {
                LOG.warnf("%s; reading it again (the catalogue is not ready until then)", e.getMessage());
                continue;
            }
            LOG.infof("catalogue loaded from %s: %d records, %d images", topic, count[0], store.imageKeys().size());
            store.markLoaded();
            return;
        }
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
