package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The reading rules on a mock consumer; {@code cli}'s replay and janitor tests and the replicator's catalogue
 * test run it against a real broker with Kafka's default group delay and 12 partitions.
 */
class TopicSnapshotTest {

    static final String TOPIC = "t";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    static final TopicPartition P2 = new TopicPartition(TOPIC, 2);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");

    private static TopicSnapshot snapshot(Duration timeout) {
        return new TopicSnapshot("127.0.0.1:9", "test", timeout);
    }

    private void topicWith(Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end) {
        consumer.updatePartitions(TOPIC, begin.keySet().stream().sorted(java.util.Comparator.comparing(TopicPartition::partition))
                .map(tp -> new PartitionInfo(TOPIC, tp.partition(), null, null, null)).toList());
        consumer.updateBeginningOffsets(begin);
        consumer.updateEndOffsets(end);
    }

    private static ConsumerRecord<String, byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, "k" + offset, new byte[] {1});
    }

    @Test
    void readsEveryPartitionFromItsStartToTheEndOffsetsItTookFirst() {
        // p0: 0..2; p1: empty; p2: 0..4 deleted by retention, 5..6 left
        topicWith(Map.of(P0, 0L, P1, 0L, P2, 5L), Map.of(P0, 3L, P1, 0L, P2, 7L));
        consumer.scheduleNopPollTask(); // nothing in the first fetches: no quiet window may end the read
        consumer.scheduleNopPollTask();
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0));
            consumer.addRecord(record(P2, 5));
        });
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 1));
            consumer.addRecord(record(P0, 2));
            consumer.addRecord(record(P2, 6));
        });
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();

        List<TopicPartition> assigned = snapshot(Duration.ofSeconds(30)).readToEnd(consumer, List.of(TOPIC), read::add);

        assertThat(assigned).containsExactlyInAnyOrder(P0, P1, P2);
        assertThat(consumer.subscription()).as("no group subscription").isEmpty();
        assertThat(read).extracting(r -> r.partition() + "@" + r.offset())
                .containsExactlyInAnyOrder("0@0", "0@1", "0@2", "2@5", "2@6");
        assertThat(consumer.position(P0)).isEqualTo(3);
        assertThat(consumer.position(P2)).as("left at the end, to tail from there").isEqualTo(7);
    }

    @Test
    void anAbsentTopicIsEmpty() {
        List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
        assertThat(snapshot(Duration.ofSeconds(30)).readToEnd(consumer, List.of("absent"), read::add)).isEmpty();
        assertThat(read).isEmpty();
    }

    @Test
    void notReachingTheEndInTimeIsAnErrorNamingThePartitionsBehind() {
        topicWith(Map.of(P0, 0L, P1, 0L), Map.of(P0, 3L, P1, 0L));
        consumer.schedulePollTask(() -> consumer.addRecord(record(P0, 0)));

        assertThatThrownBy(() -> snapshot(Duration.ofMillis(300)).readToEnd(consumer, List.of(TOPIC), r -> { }))
                .isInstanceOf(TopicSnapshot.TopicReadException.class)
                .hasMessageContaining("reading t from 127.0.0.1:9 to its end did not finish within PT0.3S")
                .hasMessageContaining("t-0 at 1 of 3")
                .hasMessageNotContaining("t-1");
    }
}
