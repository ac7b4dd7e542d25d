package org.fedoraproject.fedimg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.fedoraproject.fedimg.local.KafkaBroker;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void realBrokerAcceptsAndDeliversRecords() {
        KafkaBroker broker = KafkaBroker.shared();
        try (TopicProbe probe = new TopicProbe(broker.bootstrapServers())) {
            probe.sendRaw("probe.topic", "k", "hello".getBytes(StandardCharsets.UTF_8));
            var got = probe.readUntil("probe.topic", Duration.ofSeconds(30), l -> !l.isEmpty());
            assertThat(got.get(0).key()).isEqualTo("k");
            assertThat(got.get(0).valueAsString()).isEqualTo("hello");
        }
    }

    @Test
    void restartKeepsTheLog() {
        KafkaBroker broker = KafkaBroker.create();
        org.junit.jupiter.api.Assumptions.assumeFalse(broker.isExternal(), "an external broker is not ours to restart");
        try (broker; TopicProbe probe = new TopicProbe(broker.bootstrapServers())) {
            broker.start();
            probe.sendRaw("restart.topic", "a", "before".getBytes(StandardCharsets.UTF_8));
            broker.kill();
            broker.start();
            var got = probe.readUntil("restart.topic", Duration.ofSeconds(30), l -> !l.isEmpty());
            assertThat(got).extracting(TopicProbe.Received::valueAsString).containsExactly("before");
        }
    }
}
