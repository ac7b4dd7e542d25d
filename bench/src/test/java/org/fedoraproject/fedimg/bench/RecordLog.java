package org.fedoraproject.fedimg.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.testing.TopicProbe;

/**
 * Every record on the fedimg topics with its Kafka timestamp (CreateTime: when the producing service called
 * send), decoded. Per-stage latency is the difference between a stage's input and output timestamps, so it
 * is measured on the broker's records, not on this reader's delivery.
 */
final class RecordLog implements AutoCloseable {

    /** One record: {@code timestamp} is the producer's CreateTime in ms; key, value and headers kept for the hop baseline. */
    record Rec(String topic, String key, long timestamp, byte[] value, Headers headers, FedimgEvent event) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Rec> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    RecordLog(String bootstrapServers) {
        Properties p = TopicProbe.readerConfig(bootstrapServers, "fedimg-bench-");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000");
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(Pattern.compile("fedimg\\..*"));
        thread = new Thread(this::loop, "bench-record-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    records.add(new Rec(r.topic(), r.key(), r.timestamp(), r.value(), r.headers(), decode(r).orElse(null)));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private static Optional<FedimgEvent> decode(ConsumerRecord<String, byte[]> r) {
        Header type = r.headers().lastHeader("ce_type");
        if (type == null || r.value() == null) {
            return Optional.empty();
        }
        return EventType.ofCeType(new String(type.value(), StandardCharsets.UTF_8)).flatMap(t -> {
            try {
                return Optional.of((FedimgEvent) EventJson.read(r.value(), t.recordClass()));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    List<Rec> all() {
        return new ArrayList<>(records);
    }

    /** Records whose event is a {@code type}, in delivery order. */
    <T extends FedimgEvent> List<Timed<T>> of(Class<T> type) {
        return records.stream().filter(r -> type.isInstance(r.event()))
                .map(r -> new Timed<>(type.cast(r.event()), r.timestamp())).toList();
    }

    /** The median-sized record of {@code topic}, to size the Kafka hop baseline. */
    Rec medianSized(String topic) {
        List<Rec> records = all().stream().filter(r -> r.topic().equals(topic) && r.value() != null)
                .sorted(Comparator.comparingInt(r -> r.value().length)).toList();
        if (records.isEmpty()) {
            throw new IllegalStateException("no record on " + topic + " to size the hop baseline");
        }
        return records.get(records.size() / 2);
    }

    /** How many of {@code keys} have at least one {@code type} event. */
    <T extends FedimgEvent> long distinctKeys(Class<T> type, Set<String> keys) {
        return of(type).stream().map(t -> t.event().imageKey()).filter(keys::contains).distinct().count();
    }

    /** Image key → CreateTime of its last AMI registration, for images with all {@code variants} registered. */
    Map<String, Long> registeredImages(Set<String> keys, int variants) {
        Map<String, Set<String>> amis = new HashMap<>();
        Map<String, Long> last = new HashMap<>();
        for (var r : of(AmiRegistered.class)) {
            if (keys.contains(r.event().imageKey())) {
                amis.computeIfAbsent(r.event().imageKey(), k -> new HashSet<>()).add(r.event().ami().amiId());
                last.merge(r.event().imageKey(), r.timestamp(), Math::max);
            }
        }
        last.keySet().removeIf(k -> amis.get(k).size() < variants);
        return last;
    }

    /** The most AMI variants any of {@code keys} was registered as. */
    int variantsPerImage(Set<String> keys) {
        return of(AmiRegistered.class).stream().filter(r -> keys.contains(r.event().imageKey()))
                .collect(Collectors.groupingBy(r -> r.event().imageKey(),
                        Collectors.mapping(r -> r.event().ami().amiId(), Collectors.toSet())))
                .values().stream().mapToInt(Set::size).max().orElseThrow();
    }

    record Timed<T>(T event, long timestamp) {
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
