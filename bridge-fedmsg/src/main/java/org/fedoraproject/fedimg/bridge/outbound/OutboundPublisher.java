package org.fedoraproject.fedimg.bridge.outbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * Publishes a bus message on every enabled transport. Each transport is retried with back-off up to
 * {@code fedimg.bridge.outbound.retry-deadline}; after that the message is given up on that transport
 * (logged at ERROR and counted as outcome=failed) so one dead bus cannot stall the pipeline's status topic.
 */
@ApplicationScoped
public class OutboundPublisher {

    private static final Logger LOG = Logger.getLogger(OutboundPublisher.class);

    private final List<BusTransport> transports = new ArrayList<>();
    private final BridgeMetrics metrics;
    private final Duration deadline;
    private final String topicPrefix;
    private final SeenStore seen;
    private final Set<String> unroutableTopics = ConcurrentHashMap.newKeySet();

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
        this.deadline = config.outbound().retryDeadline();
        this.topicPrefix = config.topicPrefix() + "." + config.environment() + ".";
    }

    /**
     * Publishes once per message id: the id is derived from the event id, so a status that a replay or a
     * crash-restart re-emits is recognised and not sent to the bus a second time.
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
        return publishEverywhere(message).chain(() -> seen.remember(java.util.Set.of(key), "outbound"));
    }

    private Uni<Void> publishEverywhere(BusMessage message) {
        String shortTopic = shortTopic(message.topic());
        List<Uni<Void>> all = transports.stream().map(t -> t.publish(message)
                .onFailure().invoke(e -> LOG.warnf("publishing %s on %s failed, retrying: %s", message.topic(),
                        t.name(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(15)).expireIn(deadline.toMillis())
                .onItem().invoke(d -> {
                    metrics.busPublish(t.name(), shortTopic, d.name().toLowerCase(Locale.ROOT));
                    logDelivery(t, message, shortTopic, d);
                })
                .onFailure().recoverWithItem(e -> {
                    metrics.busPublish(t.name(), shortTopic, "failed");
                    LOG.errorf("giving up publishing %s (id %s) on %s after %s: %s", message.topic(), message.id(),
                            t.name(), deadline, e.getMessage());
                    return null;
                }).replaceWithVoid()).toList();
        return Uni.join().all(all).andCollectFailures().replaceWithVoid();
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
