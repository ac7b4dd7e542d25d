package org.fedoraproject.fedimg.cli.local;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventJson;

/**
 * Follows every fedimg topic from the beginning and hands each decoded event to a listener, in the order
 * the broker delivers them (per image: in order). Local mode prints them; tests collect them.
 */
public final class PipelineWatcher implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final List<FedimgEvent> seen = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public PipelineWatcher(String bootstrapServers, Consumer<FedimgEvent> listener) {
        // An observer: a group of its own (a pattern subscription needs one) that commits nothing. The pattern
        // subscription sees topics created after the start within a second.
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "fedimg-watcher-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000"), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(java.util.regex.Pattern.compile("fedimg\\..*"));
        thread = new Thread(() -> loop(listener), "pipeline-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Consumer<FedimgEvent> listener) {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    decode(r).ifPresent(e -> {
                        seen.add(e);
                        listener.accept(e);
                    });
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static java.util.Optional<FedimgEvent> decode(ConsumerRecord<String, byte[]> r) {
        Header type = r.headers().lastHeader("ce_type");
        if (type == null || !r.topic().startsWith("fedimg.") || r.topic().equals(Topics.DEAD_LETTER) && r.value() == null) {
            return java.util.Optional.empty();
        }
        return EventType.ofCeType(new String(type.value(), StandardCharsets.UTF_8))
                .map(t -> {
                    try {
                        return (FedimgEvent) EventJson.read(r.value(), t.recordClass());
                    } catch (RuntimeException e) {
                        return null;
                    }
                });
    }

    /** Every event seen so far, in delivery order. */
    public List<FedimgEvent> seen() {
        return new ArrayList<>(seen);
    }

    public <T extends FedimgEvent> List<T> seen(Class<T> type) {
        return seen.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
