package org.fedoraproject.fedimg.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.FedmsgPublisher;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.local.KafkaBroker;

/**
 * How the pipeline benchmarks feed composes in: a fedmsg PUB socket the bridge subscribes to (as in local mode),
 * the pungi FINISHED message of each compose, sent again to a compose the bridge has not turned into images after
 * 5 s (ZeroMQ drops what a subscriber has not joined for; the bridge deduplicates by msg_id). Records when each
 * compose was first sent (bench clock, ms), and leaves out of {@link #sentAt()} a compose sent again, whose
 * bridge-in latency means nothing.
 */
final class ComposeSender {

    static final String PUNGI_TOPIC = "org.fedoraproject.prod.pungi.compose.status.change";
    static final String BRIDGE = "bridge-fedmsg";

    private final FedmsgPublisher bus;
    private final RecordLog log;
    private final Map<String, Long> sentAt = new HashMap<>();
    private final Map<String, Long> firstSent = new HashMap<>();
    private int resent;

    ComposeSender(FedmsgPublisher bus, RecordLog log) {
        this.bus = bus;
        this.log = log;
    }

    /** The bridge's settings: subscribed to {@code bus}, publishing to a socket nobody reads, no AMQP. */
    static Map<String, String> bridgeConfig(String busEndpoint) {
        return Map.of(
                "fedimg.bridge.fedmsg.subscribe.enabled", "true",
                "fedimg.bridge.fedmsg.subscribe.endpoints", busEndpoint,
                "fedimg.bridge.fedmsg.publish.enabled", "true",
                "fedimg.bridge.fedmsg.publish.endpoint", "tcp://127.0.0.1:" + KafkaBroker.freePort(),
                "fedimg.bridge.amqp.consume", "false",
                "fedimg.bridge.amqp.publish", "false");
    }

    /** Sends each compose's FINISHED message, again for those the bridge has not turned into images after 5 s. */
    void publish(List<LocalCompose> batch) {
        Map<LocalCompose, String> msgIds = new LinkedHashMap<>();
        for (LocalCompose c : batch) {
            msgIds.put(c, FedmsgPublisher.newMsgId());
            sentAt.put(c.composeId(), System.currentTimeMillis());
            firstSent.put(c.composeId(), sentAt.get(c.composeId()));
            bus.publish(PUNGI_TOPIC, c.finishedMessageBody(), msgIds.get(c));
        }
        for (int attempt = 0; attempt < 12; attempt++) {
            if (await(() -> notAccepted(batch).isEmpty(), Duration.ofSeconds(5))) {
                return;
            }
            for (LocalCompose c : notAccepted(batch)) {
                sentAt.remove(c.composeId());
                resent++;
                bus.publish(PUNGI_TOPIC, c.finishedMessageBody(), msgIds.get(c));
            }
        }
        throw new IllegalStateException("the bridge did not accept every compose within a minute");
    }

    /** Compose id → when its message was sent; a compose sent again is not in it. */
    Map<String, Long> sentAt() {
        return sentAt;
    }

    /** When the compose's message was first sent, sent again or not. */
    long firstSent(String composeId) {
        return firstSent.get(composeId);
    }

    /** Whether the compose's message had to be sent again. */
    boolean wasResent(String composeId) {
        return firstSent.containsKey(composeId) && !sentAt.containsKey(composeId);
    }

    int resent() {
        return resent;
    }

    private List<LocalCompose> notAccepted(List<LocalCompose> batch) {
        return batch.stream().filter(c -> log.distinctKeys(ImageReady.class, keys(c)) < c.images().size()).toList();
    }

    static Set<String> keys(LocalCompose compose) {
        return compose.images().stream().map(i -> ImageKeys.of(compose.composeId(), i.fileName()))
                .collect(Collectors.toSet());
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
