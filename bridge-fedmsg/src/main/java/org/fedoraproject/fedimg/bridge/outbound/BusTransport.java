package org.fedoraproject.fedimg.bridge.outbound;

import org.fedoraproject.fedimg.bridge.domain.BusMessage;

import io.smallrye.mutiny.Uni;

/** One of Fedora's buses. */
public interface BusTransport {

    /** amqp or fedmsg (metric tag). */
    String name();

    /** Completes when the bus accepted the message (publisher confirm for AMQP, handed to ZeroMQ for fedmsg). */
    Uni<Delivery> publish(BusMessage message);

    enum Delivery {
        DELIVERED,
        /** AMQP only: the broker confirmed but no queue was bound to the routing key. */
        UNROUTABLE
    }
}
