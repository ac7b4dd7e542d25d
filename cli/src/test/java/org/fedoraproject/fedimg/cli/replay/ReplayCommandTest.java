package org.fedoraproject.fedimg.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.fedoraproject.fedimg.cli.CommandRun;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.messaging.TopicSnapshot;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Test;

/**
 * {@code fedimg replay} against a broker with Kafka's default group delay (3 s before a new group's first
 * assignment, as in production) and a many-partition {@code fedimg.images}: it finds every image of the
 * compose, whatever partition it is on, and re-sends each unchanged.
 */
class ReplayCommandTest {

    @Test
    void replayFindsAndResendsEveryImageOfTheCompose() {
        KafkaBroker kafka = KafkaBroker.shared(KafkaBroker.Settings.kafkaDefaults(12));
        String compose = "Fedora-Cloud-43-" + UUID.randomUUID().toString().substring(0, 8);
        List<ImageReady> images = IntStream.range(0, 24)
                .mapToObj(i -> ComposeReplayTest.event(compose + "-" + i, compose, "image-" + i + ".raw.xz", 0)).toList();
        ImageReady other = ComposeReplayTest.event("other-" + compose, "Other-" + compose, "o.raw.xz", 0);
        try (TopicProbe probe = new TopicProbe(kafka.bootstrapServers())) {
            images.forEach(e -> probe.send(e, "bridge"));
            probe.send(other, "bridge");
            probe.sendRaw(Topics.IMAGES, "garbage", "not an event".getBytes(StandardCharsets.UTF_8));
        }

        CommandRun run = CommandRun.of(new ReplayCommand(), "--compose", compose, "--bootstrap-servers",
                kafka.bootstrapServers());

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).contains("that are not image events");
        assertThat(run.out().lines().filter(l -> l.startsWith("sending "))).hasSize(images.size());
        images.forEach(e -> assertThat(run.out()).contains("sending " + e.imageKey() + " respin 0 (redelivery"));
        Map<String, List<ConsumerRecord<String, byte[]>>> byId = new TopicSnapshot(kafka.bootstrapServers(), "test",
                Duration.ofSeconds(30)).readToEnd(Topics.IMAGES).stream()
                .filter(r -> r.headers().lastHeader("ce_id") != null)
                .collect(Collectors.groupingBy(r -> new String(r.headers().lastHeader("ce_id").value(),
                        StandardCharsets.UTF_8)));
        assertThat(images).allSatisfy(e -> assertThat(byId.get(e.eventId())).as(e.eventId()).hasSize(2)
                .extracting(ConsumerRecord::partition).as("the replay lands on the image's partition").containsOnly(
                        byId.get(e.eventId()).get(0).partition()));
        assertThat(images.stream().map(e -> byId.get(e.eventId()).get(0).partition()).distinct().count())
                .as("partitions the compose's images are spread over").isGreaterThan(1);
        assertThat(byId.get(other.eventId())).hasSize(1);
    }

    @Test
    void anUnreachableBrokerIsAClearErrorNotAnEmptyHistory() {
        CommandRun run = CommandRun.of(new ReplayCommand(), "--compose", "C", "--bootstrap-servers",
                "127.0.0.1:" + KafkaBroker.freePort(), "--kafka-timeout", "PT2S");
        assertThat(run.exit()).isEqualTo(ReplayCommand.KAFKA_FAILED);
        assertThat(run.err()).contains("cannot read fedimg.images").contains("did not finish within PT2S")
                .doesNotContain("no image events");
    }
}
