package org.fedoraproject.fedimg.bridge.outbound;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.fedoraproject.fedimg.bridge.amqp.AmqpPublisher;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.BusMessage;
import org.fedoraproject.fedimg.bridge.fedmsg.FedmsgPubSocket;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Publishes a bus message on every enabled transport and never gives up on one: a transport that fails (the bus
 * is down, a publisher confirm is missing or negative) is retried with back-off up to
 * {@code fedimg.bridge.outbound.retry-max-backoff} between attempts for as long as it takes. Meanwhile the Kafka
 * record that caused the message is not acked, so a crash while the bus is down re-sends it after the restart,
 * and the channel waits behind it (Kafka keeps what comes next). The message id is recorded as sent (dedup key
 * {@code bus:<id>}) only once every transport has confirmed it. While a message waits, readiness ({@link #waiting})
 * and the meters {@code fedimg.bridge.bus.waiting} and {@code fedimg.bridge.bus.publishes{outcome=retried}} show it.
 */
@ApplicationScoped
public class OutboundPublisher {

    private static final Logger LOG = Logger.getLogger(OutboundPublisher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

    /** A message not yet confirmed by every transport: since when, how many failed attempts, the last error. */
    public record Waiting(String topic, Instant since, int failures, String lastError) {
    }

    private final List<BusTransport> transports = new ArrayList<>();
    private final BridgeMetrics metrics;
    private final Duration maxBackoff;
    private final String topicPrefix;
    private final SeenStore seen;
    private final Set<String> unroutableTopics = ConcurrentHashMap.newKeySet();
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    public OutboundPublisher(BridgeConfig config, AmqpPublisher amqp, FedmsgPubSocket fedmsg, BridgeMetrics metrics,
            SeenStore seen) {
        this.seen = seen;
        if (config.amqp().publish()) {
            transports.add(amqp);
        }
        if (config.fedmsg().publish().enabled()) {
            transports.add(fedmsg);
        }
        this.metrics = metrics;
        this.maxBackoff = config.outbound().retryMaxBackoff();
        this.topicPrefix = config.topicPrefix() + "." + config.environment() + ".";
        metrics.busWaiting(waiting);
    }

    /**
     * Publishes once per message id: the id is derived from the event id, so a status that a replay or a
     * crash-restart re-emits is recognised and not sent to the bus a second time. Completes only when every
     * transport confirmed the message; it never fails.
     */
    public Uni<Void> publish(BusMessage message) {
        if (transports.isEmpty()) {
            LOG.debugf("no bus transport enabled; %s not published", message.topic());
            return Uni.createFrom().voidItem();
        }
        String key = "bus:" + message.id();
        if (seen.seen(key)) {
            LOG.debugf("%s (id %s) was already published; not sending it again", message.topic(), message.id());
            metrics.busPublish("all", shortTopic(message.topic()), "duplicate");
            return Uni.createFrom().voidItem();
        }
        return publishEverywhere(message).chain(() -> seen.remember(Set.of(key), "outbound"));
    }

    /** The messages waiting for a bus now, oldest first: empty when every bus confirms. */
    public List<Waiting> waiting() {
        return waiting.values().stream().sorted(java.util.Comparator.comparing(Waiting::since)).toList();
    }

    /** The oldest waiting message, if any. */
    public Optional<Waiting> oldestWaiting() {
        return waiting().stream().findFirst();
    }

    private Uni<Void> publishEverywhere(BusMessage message) {
        String shortTopic = shortTopic(message.topic());
        List<Uni<Void>> all = transports.stream().map(t -> {
            String id = t.name() + " " + message.id();
            return Uni.createFrom().deferred(() -> t.publish(message))
                    .onFailure().invoke(e -> failed(id, t, message, shortTopic, e))
                    .onFailure().retry().withBackOff(FIRST_BACKOFF, maxBackoff).indefinitely()
                    .onItem().invoke(d -> {
                        if (waiting.remove(id) != null) {
                            LOG.infof("published %s (id %s) on %s after the bus came back", message.topic(),
                                    message.id(), t.name());
                        }
                        metrics.busPublish(t.name(), shortTopic, d.name().toLowerCase(Locale.ROOT));
                        logDelivery(t, message, shortTopic, d);
                    }).replaceWithVoid();
        }).toList();
        return Uni.join().all(all).andFailFast().replaceWithVoid();
    }

    private void failed(String id, BusTransport t, BusMessage message, String shortTopic, Throwable e) {
        metrics.busPublish(t.name(), shortTopic, "retried");
        Waiting before = waiting.get(id);
        Waiting now = new Waiting(message.topic(), before == null ? Instant.now() : before.since(),
                before == null ? 1 : before.failures() + 1, String.valueOf(e.getMessage()));
        waiting.put(id, now);
        // WARN at the first failure and then about once a minute (at the longest back-off), not every attempt
        if (now.failures() == 1 || now.failures() % 10 == 0) {
            LOG.warnf("publishing %s (id %s) on %s failed %d time(s) since %s; retrying until the bus takes it: %s",
                    message.topic(), message.id(), t.name(), now.failures(), now.since(), e.getMessage());
        }
    }

    /**
     * One line per message would be about 150 per image (a status per variant, region and stage), so deliveries are
     * DEBUG, and a message no queue takes is a WARN only the first time for its transport and topic: a bus without
     * subscribers (a test broker, local mode) would otherwise fill the log. The metric counts every one.
     */
    private void logDelivery(BusTransport t, BusMessage message, String shortTopic, BusTransport.Delivery d) {
        if (d == BusTransport.Delivery.UNROUTABLE && unroutableTopics.add(t.name() + " " + shortTopic)) {
            LOG.warnf("%s on %s reached no queue: nobody subscribes to it on this broker. Further unroutable %s messages"
                    + " are counted (fedimg.bridge.bus.publishes, outcome=unroutable), not logged", message.topic(),
                    t.name(), shortTopic);
        } else {
            LOG.debugf("published %s on %s (%s) id %s", message.topic(), t.name(), d, message.id());
        }
    }

    private String shortTopic(String topic) {
        String t = topic.startsWith(topicPrefix) ? topic.substring(topicPrefix.length()) : topic;
        int aws = t.indexOf(".aws.");
        return aws > 0 ? t.substring(0, aws + 4) : t;
    }
}
