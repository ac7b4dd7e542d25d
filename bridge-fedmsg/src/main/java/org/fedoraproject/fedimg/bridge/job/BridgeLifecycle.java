package org.fedoraproject.fedimg.bridge.job;

import org.fedoraproject.fedimg.bridge.amqp.AmqpConsumer;
import org.fedoraproject.fedimg.bridge.amqp.AmqpPublisher;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.fedmsg.FedmsgPubSocket;
import org.fedoraproject.fedimg.bridge.fedmsg.FedmsgSubscriber;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Start order matters: the dedup store is fully loaded before any bus consumer can deliver a message, and
 * the fedmsg PUB socket is open before the first status arrives. Stopped in reverse.
 */
@ApplicationScoped
public class BridgeLifecycle {

    private final BridgeConfig config;
    private final SeenStore seen;
    private final AmqpConsumer amqpConsumer;
    private final AmqpPublisher amqpPublisher;
    private final FedmsgSubscriber fedmsgSubscriber;
    private final FedmsgPubSocket fedmsgPublisher;
    private final ParkedRetries retries;

    public BridgeLifecycle(BridgeConfig config, SeenStore seen, AmqpConsumer amqpConsumer, AmqpPublisher amqpPublisher,
            FedmsgSubscriber fedmsgSubscriber, FedmsgPubSocket fedmsgPublisher, ParkedRetries retries,
            BridgeMetrics metrics) {
        this.retries = retries;
        metrics.parkedGauge(seen::parkedCount);
        this.config = config;
        this.seen = seen;
        this.amqpConsumer = amqpConsumer;
        this.amqpPublisher = amqpPublisher;
        this.fedmsgSubscriber = fedmsgSubscriber;
        this.fedmsgPublisher = fedmsgPublisher;
    }

    void onStart(@Observes StartupEvent event) {
        seen.start();
        retries.start();
        if (config.fedmsg().publish().enabled()) {
            fedmsgPublisher.start();
        }
        if (config.amqp().consume()) {
            amqpConsumer.start();
        }
        if (config.fedmsg().subscribe().enabled()) {
            fedmsgSubscriber.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (config.fedmsg().subscribe().enabled()) {
            fedmsgSubscriber.stop();
        }
        if (config.amqp().consume()) {
            amqpConsumer.stop();
        }
        retries.stop();
        amqpPublisher.stop();
        fedmsgPublisher.stop();
        seen.stop();
    }
}
