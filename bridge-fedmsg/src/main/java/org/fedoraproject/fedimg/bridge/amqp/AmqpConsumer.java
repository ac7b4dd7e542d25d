package org.fedoraproject.fedimg.bridge.amqp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.job.InboundMessage;
import org.fedoraproject.fedimg.bridge.job.InboundPipeline;
import org.jboss.logging.Logger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Consumes compose messages from fedora-messaging: declares the queue, binds the routing keys on the
 * exchange, sets the prefetch, and acks each delivery only after its image events (or its dead letter)
 * are acknowledged by Kafka. A transient failure nacks with requeue after {@code requeue-delay}.
 */
@ApplicationScoped
public class AmqpConsumer {

    private static final Logger LOG = Logger.getLogger(AmqpConsumer.class);

    private final BridgeConfig config;
    private final InboundPipeline pipeline;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "amqp-consumer-retry");
        t.setDaemon(true);
        return t;
    });
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile String queue;
    private volatile boolean stopped;
    private volatile String lastError;

    public AmqpConsumer(BridgeConfig config, InboundPipeline pipeline) {
        this.config = config;
        this.pipeline = pipeline;
    }

    /** Connects in the background, retrying until the broker is reachable. */
    public void start() {
        stopped = false;
        scheduler.execute(this::connect);
    }

    public boolean connected() {
        return connection != null && connection.isOpen() && channel != null && channel.isOpen();
    }

    public String queue() {
        return queue;
    }

    /** Why the last attempt to connect failed, until one succeeds. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    private void connect() {
        if (stopped) {
            return;
        }
        BridgeConfig.Amqp c = config.amqp();
        try {
            connection = AmqpConnections.factory(c).newConnection("fedimg-bridge-consumer");
            Channel ch = connection.createChannel();
            ch.basicQos(c.prefetchCount());
            if (c.exchange().startsWith("amq.") || c.passiveDeclares()) {
                ch.exchangeDeclarePassive(c.exchange());
            } else {
                ch.exchangeDeclare(c.exchange(), "topic", true);
            }
            if (c.queue().isPresent() && !c.queue().get().isBlank()) {
                queue = c.queue().get();
                if (c.passiveDeclares()) {
                    ch.queueDeclarePassive(queue);
                } else {
                    ch.queueDeclare(queue, c.queueDurable(), c.queueExclusive(), c.queueAutoDelete(), Map.of());
                }
            } else {
                queue = ch.queueDeclare().getQueue(); // server-named, exclusive, auto-delete, non-durable
            }
            for (String key : c.routingKeys()) {
                ch.queueBind(queue, c.exchange(), key);
            }
            channel = ch;
            ch.basicConsume(queue, false, "fedimg-bridge", new Deliveries(ch));
            lastError = null;
            LOG.infof("consuming AMQP queue %s bound to %s with %s (prefetch %d)", queue, c.exchange(),
                    c.routingKeys(), c.prefetchCount());
        } catch (Exception e) {
            lastError = AmqpFailures.describe(e, c);
            LOG.errorf("AMQP consumer cannot connect: %s; retrying in %s", lastError, c.reconnectDelay());
            closeQuietly();
            scheduler.schedule(this::connect, c.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public void stop() {
        stopped = true;
        closeQuietly();
        scheduler.shutdownNow();
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close(5000);
            }
        } catch (Exception e) {
            LOG.debugf("closing AMQP connection: %s", e.getMessage());
        }
        connection = null;
        channel = null;
    }

    private final class Deliveries extends DefaultConsumer {

        Deliveries(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            long deliveryTag = envelope.getDeliveryTag();
            Map<String, String> headers = new LinkedHashMap<>();
            if (props.getHeaders() != null) {
                props.getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
            }
            InboundMessage in = new InboundMessage("amqp", props.getMessageId(), envelope.getRoutingKey(), body,
                    headers);
            Channel ch = getChannel();
            var refusal = AmqpContent.refusal(props.getContentType(), props.getContentEncoding());
            (refusal.isPresent() ? pipeline.refuse(in, refusal.get()) : pipeline.handle(in)).subscribe().with(
                    outcome -> {
                        LOG.debugf("AMQP %s: %s (%s)", props.getMessageId(), outcome.kind(), outcome.detail());
                        settle(ch, deliveryTag, true);
                    },
                    failure -> {
                        LOG.errorf("AMQP message %s not handled, nack with requeue in %s: %s", props.getMessageId(),
                                config.inbound().requeueDelay(), failure.getMessage());
                        scheduler.schedule(() -> settle(ch, deliveryTag, false),
                                config.inbound().requeueDelay().toMillis(), TimeUnit.MILLISECONDS);
                    });
        }
    }

    private static void settle(Channel ch, long deliveryTag, boolean ack) {
        // channels are shared between the delivery thread and completion threads: serialize frames
        synchronized (ch) {
            try {
                if (ack) {
                    ch.basicAck(deliveryTag, false);
                } else {
                    ch.basicNack(deliveryTag, false, true);
                }
            } catch (IOException | RuntimeException e) {
                // the channel closed: the broker redelivers the message, nothing is lost
                LOG.warnf("could not %s delivery %d: %s", ack ? "ack" : "nack", deliveryTag, e.getMessage());
            }
        }
    }
}
