package org.fedoraproject.fedimg.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.TraceContext;

/**
 * Plain Kafka clients for tests: send events the way the services do (CloudEvents binary mode, keyed by
 * image) or raw bytes, and read a topic from the beginning until what the test waits for is there.
 */
public final class TopicProbe implements AutoCloseable {

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;

    public TopicProbe(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
    }

    public static TopicProbe forSharedBroker() {
        return new TopicProbe(KafkaBroker.shared().bootstrapServers());
    }

    /** Sends an event with the {@code ce_*} and {@code traceparent} headers the services write. */
    public void send(FedimgEvent event, String sourceService) {
        send(event.eventType().topic(), event, sourceService, TraceContext.traceparent(event));
    }

    /** The same to a given topic with a given {@code traceparent}, as a producer continuing a trace writes it. */
    public void send(String topic, FedimgEvent event, String sourceService, String traceparent) {
        sendRecord(CloudEvents.record(topic, event, sourceService, traceparent));
    }

    /** The partition the default partitioner gives {@code key} on {@code topic} (created if it is new). */
    public int partitionOf(String topic, String key) {
        int partitions = producer.partitionsFor(topic).size();
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                % partitions;
    }

    /** The topic's partition count (created with the broker's default if it is new). */
    public int partitions(String topic) {
        return producer.partitionsFor(topic).size();
    }

    public void sendRaw(String topic, String key, byte[] value) {
        sendRecord(new ProducerRecord<>(topic, key, value));
    }

    private void sendRecord(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send to " + record.topic() + " failed", e);
        }
    }

    /** Every record on the topic from the beginning, read until {@code done} holds or the timeout passes. */
    public List<Received> readUntil(String topic, Duration timeout, Predicate<List<Received>> done) {
        List<Received> all = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    all.add(Received.of(r));
                }
                if (done.test(all)) {
                    return all;
                }
            }
        }
        throw new AssertionError("timed out after " + timeout + " waiting on topic " + topic + "; got " + all.size()
                + " records: " + all);
    }

    /** Reads the topic from the beginning for a quiet period and returns everything, for "nothing else came" checks. */
    public List<Received> readAll(String topic, Duration quiet) {
        List<Received> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            Instant lastSeen = Instant.now();
            while (Duration.between(lastSeen, Instant.now()).compareTo(quiet) < 0) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    all.add(Received.of(r));
                }
                if (!records.isEmpty()) {
                    lastSeen = Instant.now();
                }
            }
        }
        return all;
    }

    /** Events of one type on the topic, decoded. */
    public static <T extends FedimgEvent> List<T> decode(List<Received> records, Class<T> type) {
        String ceType = org.fedoraproject.fedimg.events.EventType.of(type).ceType();
        return records.stream().filter(r -> ceType.equals(r.headers().get("ce_type")))
                .map(r -> EventJson.read(r.value(), type)).toList();
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(readerConfig(bootstrap, "probe-"));
    }

    /**
     * A consumer that reads topics from their start as an observer: a group of its own (prefix + random), no
     * commits, string keys and raw values.
     */
    public static Properties readerConfig(String bootstrap, String groupPrefix) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** A record as read: key, value, headers (as strings), partition and offset. */
    public record Received(String topic, String key, byte[] value, Map<String, String> headers, int partition,
            long offset) {

        static Received of(ConsumerRecord<String, byte[]> r) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            return new Received(r.topic(), r.key(), r.value(), headers, r.partition(), r.offset());
        }

        public String valueAsString() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return topic + "[" + partition + "@" + offset + "] " + key + " " + headers.get("ce_type");
        }
    }
}
