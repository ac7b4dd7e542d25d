package org.fedoraproject.fedimg.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka hop baseline: a record the pipeline wrote (same key, value and headers, so the same size) sent
 * again to a fresh topic on the same broker, one at a time, and read back by a consumer set up like the
 * services' ({@code acks=all}, {@code max.poll.records=1}). The latency is the same measure as a stage's:
 * from the record's CreateTime to the moment the consumer has it.
 */
final class KafkaHop {

    private static final int WARM_UP = 20;

    private KafkaHop() {
    }

    /** {@code n} timed hops of {@code sample} after a warm-up; latencies in ms. */
    static List<Long> measure(String bootstrapServers, RecordLog.Rec sample, int n) {
        String topic = "bench.hop-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrapServers));
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers))) {
            List<TopicPartition> partitions = producer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < WARM_UP + n; i++) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, sample.key(), sample.value());
                for (Header h : sample.headers()) {
                    record.headers().add(h);
                }
                producer.send(record);
                long latency = awaitOne(consumer);
                if (i >= WARM_UP) {
                    latencies.add(latency);
                }
            }
            return latencies;
        }
    }

    private static long awaitOne(KafkaConsumer<String, byte[]> consumer) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                return System.currentTimeMillis() - r.timestamp();
            }
        }
        throw new IllegalStateException("hop record not consumed within 30 s");
    }

    private static Properties producerConfig(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    private static Properties consumerConfig(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }
}
