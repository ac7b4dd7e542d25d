package org.fedoraproject.fedimg.bridge.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.fedoraproject.fedimg.bridge.compose.ComposeMetadataClient;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.job.InboundPipeline;
import org.fedoraproject.fedimg.bridge.messaging.Outbox;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.fedoraproject.fedimg.bridge.support.ComposeServer;
import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;

/**
 * The AMQP consumer acks a compose message only once its image events are acknowledged by Kafka, and
 * nacks it (requeue) when that write fails: here the Kafka side is a sink that fails its first two writes,
 * so the broker must deliver the message three times, and the queue ends empty.
 */
class AckAfterKafkaTest {

    @Test
    void failedKafkaWriteMeansNackAndRedelivery(@TempDir Path www) throws Exception {
        EmbeddedAmqpBroker embedded = EmbeddedAmqpBroker.reachable("127.0.0.1", 5672)
                && !"embedded".equals(System.getProperty("bridge.test.amqp")) ? null : EmbeddedAmqpBroker.start();
        String url = embedded == null ? "amqp://guest:guest@127.0.0.1:5672/%2F" : embedded.url();
        String composeId = "Fedora-41-20241027.0";
        Files.createDirectories(www.resolve("c/compose/metadata"));
        Files.writeString(www.resolve("c/compose/metadata/images.json"),
                SampleComposes.ec2ComposeImagesJson(composeId, "41"));
        String queue = "fedimg-ack-test-" + UUID.randomUUID();
        String key = "test." + UUID.randomUUID() + ".pungi.compose.status.change";
        AmqpConsumer consumer = null;
        try (ComposeServer server = new ComposeServer(www)) {
            BridgeConfig config = config(Map.of(
                    "fedimg.bridge.amqp.url", url,
                    "fedimg.bridge.amqp.queue", queue,
                    "fedimg.bridge.amqp.queue-durable", "false",
                    "fedimg.bridge.amqp.queue-auto-delete", "true",
                    "fedimg.bridge.amqp.routing-keys", key,
                    "fedimg.bridge.inbound.requeue-delay", "200ms",
                    "fedimg.bridge.inbound.transient-retries", "0",
                    "fedimg.bridge.dedup.enabled", "false"));
            FlakySink sink = new FlakySink(2);
            BridgeMetrics metrics = new BridgeMetrics(new SimpleMeterRegistry());
            InboundPipeline pipeline = new InboundPipeline(config, new ComposeMetadataClient(config,
                    org.fedoraproject.fedimg.sources.TrustedSources.of("http://127.0.0.1:*/")), sink,
                    new SeenStore(config, "unused:9092"), metrics);
            consumer = new AmqpConsumer(config, pipeline);
            consumer.start();
            AmqpConsumer started = consumer;
            await().atMost(Duration.ofSeconds(30)).until(started::connected);

            ConnectionFactory f = new ConnectionFactory();
            f.setUri(url);
            try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                ch.confirmSelect();
                ch.basicPublish("amq.topic", key, new AMQP.BasicProperties.Builder().messageId("m-" + UUID.randomUUID())
                        .build(), SampleComposes.pungiBody(composeId, "FINISHED", server.baseUrl() + "/c/compose")
                        .getBytes());
                ch.waitForConfirmsOrDie(10_000);
                await().atMost(Duration.ofSeconds(60)).until(() -> sink.written.size() == 2);
                assertThat(sink.attempts.get()).isEqualTo(3);
                assertThat(sink.written).extracting(ImageReady::composeId).containsOnly(composeId);
                await().atMost(Duration.ofSeconds(10)).until(() -> ch.queueDeclarePassive(queue).getMessageCount() == 0);
                Thread.sleep(1000); // an ack lost would show up as another delivery
                assertThat(sink.attempts.get()).isEqualTo(3);
            }
        } finally {
            if (consumer != null) {
                consumer.stop();
            }
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** Fails the first N writes like a Kafka producer whose broker does not acknowledge. */
    static final class FlakySink extends Outbox {
        final AtomicInteger attempts = new AtomicInteger();
        final List<ImageReady> written = new CopyOnWriteArrayList<>();
        final int failures;

        FlakySink(int failures) {
            this.failures = failures;
        }

        @Override
        public Uni<Void> images(List<ImageReady> events) {
            return Uni.createFrom().deferred(() -> {
                if (attempts.incrementAndGet() <= failures) {
                    return Uni.createFrom().failure(new org.apache.kafka.common.errors.TimeoutException(
                            "Expiring 2 record(s) for fedimg.images-0: 120000 ms has passed"));
                }
                written.addAll(events);
                return Uni.createFrom().voidItem();
            });
        }

        @Override
        public Uni<Void> deadLetter(DeadLetter dl) {
            return Uni.createFrom().failure(new AssertionError("unexpected dead letter: " + dl.reasonCode() + " "
                    + dl.reason()));
        }
    }

    static BridgeConfig config(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(BridgeConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(values)
                .build();
        return config.getConfigMapping(BridgeConfig.class);
    }
}
