package org.fedoraproject.fedimg.bridge.messaging;

import java.util.List;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Writes image events and dead letters to Kafka; every returned Uni completes only when the broker has
 * acknowledged the write, which is what lets the AMQP consumer ack its message afterwards.
 */
@ApplicationScoped
public class Outbox {

    public static final String SERVICE = "bridge-fedmsg";
    private static final Logger LOG = Logger.getLogger(Outbox.class);

    @Inject
    @Channel("images-out")
    MutinyEmitter<ImageReady> images;

    @Inject
    @Channel("dead-letter-out")
    MutinyEmitter<DeadLetter> deadLetters;

    @Inject
    BridgeMetrics metrics;

    public Uni<Void> images(List<ImageReady> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(events.stream().map(e -> images.sendMessage(CloudEvents.message(e, SERVICE))).toList())
                .andFailFast().replaceWithVoid();
    }

    /** A dead letter (built by {@code DeadLetters}), counted by its reason once Kafka has it. */
    public Uni<Void> deadLetter(DeadLetter dl) {
        LOG.warnf("dead letter %s from %s: %s", dl.reasonCode(), dl.source(), dl.reason());
        return deadLetters.sendMessage(CloudEvents.message(dl, SERVICE))
                .invoke(() -> metrics.deadLetter(dl.reasonCode()));
    }
}
