package org.fedoraproject.fedimg.replicator.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Test;

/**
 * The catalogue loads the whole published topic, every partition, on a broker with Kafka's default group delay
 * (as in production) and 12 partitions: when it says it is loaded, everything written before is in; then it
 * keeps tailing.
 */
class PublishedTopicReaderTest {

    @Test
    void loadedMeansEveryPartitionWasReadThenItTails() throws InterruptedException {
        KafkaBroker kafka = KafkaBroker.shared(KafkaBroker.Settings.kafkaDefaults(12));
        String topic = "fedimg.amis.published.catalogue-" + UUID.randomUUID().toString().substring(0, 8);
        List<AmiPublished> before = IntStream.range(0, 24).mapToObj(i -> published("C-" + topic + "-" + i)).toList();
        PublishedStore store = new PublishedStore();
        PublishedTopicReader reader = new PublishedTopicReader(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                topic, Duration.ofSeconds(60), store);
        Thread thread = new Thread(reader, "catalogue-test");
        try (TopicProbe probe = new TopicProbe(kafka.bootstrapServers())) {
            before.forEach(p -> probe.send(topic, p, "replicator", TraceContext.traceparent(p)));
            assertThat(before.stream().map(p -> probe.partitionOf(topic, p.kafkaKey())).distinct().count())
                    .as("partitions the records are spread over").isGreaterThan(1);

            thread.start();
            await().atMost(Duration.ofSeconds(60)).until(store::isLoaded);
            assertThat(store.allRecords()).extracting(AmiPublished::kafkaKey)
                    .containsExactlyInAnyOrderElementsOf(before.stream().map(AmiPublished::kafkaKey).toList());

            AmiPublished later = published("C-" + topic + "-later");
            probe.send(topic, later, "replicator", TraceContext.traceparent(later));
            await().atMost(Duration.ofSeconds(30)).until(() -> store.record(later.kafkaKey()).isPresent());
        } finally {
            reader.stop();
            thread.join(5000);
        }
    }

    private static AmiPublished published(String composeId) {
        return Samples.published(Samples.tested(composeId, "production", Samples.GP3, "ami-" + composeId.hashCode(),
                "snap-1", TestVerdict.PASSED, true), "us-east-1", RegionOutcome.PUBLISHED, null);
    }
}
