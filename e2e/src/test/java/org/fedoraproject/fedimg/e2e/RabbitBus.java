package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.messaging.EventJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The Fedora bus in a test (on whatever AMQP broker {@link E2eConfig#amqpUrl()} gives): publishes
 * fedora-messaging messages to {@code amq.topic} and records every
 * message whose routing key matches the given binding patterns, in arrival order.
 */
final class RabbitBus implements AutoCloseable {

    record Received(String routingKey, Map<String, Object> headers, JsonNode body, String messageId) {
    }

    private final Connection connection;
    private final Channel channel;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final String queue;

    RabbitBus(String url, List<String> bindings) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(url);
        factory.setNetworkRecoveryInterval(1000); // back soon after a restart of the broker
        connection = factory.newConnection("fedimg-e2e");
        channel = connection.createChannel();
        channel.confirmSelect();
        // durable and named: it keeps what the bridge publishes while this client reconnects after a restart of the
        // broker (the connection recovers by itself), and the run deletes it at the end
        queue = "fedimg-e2e-observer-" + UUID.randomUUID();
        channel.queueDeclare(queue, true, false, false, null);
        for (String binding : bindings) {
            channel.queueBind(queue, "amq.topic", binding);
        }
        // acked once recorded: a message in flight when the broker dies is delivered again, not lost to the audit
        channel.basicConsume(queue, false, (tag, delivery) -> {
            received.add(new Received(delivery.getEnvelope().getRoutingKey(), delivery.getProperties().getHeaders(),
                    EventJson.MAPPER.readTree(delivery.getBody()), delivery.getProperties().getMessageId()));
            channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> {
        });
    }

    static boolean reachable(String url) {
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(url);
            factory.setConnectionTimeout(2000);
            try (Connection c = factory.newConnection()) {
                return c.isOpen();
            }
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Publishes as fedora-messaging does: JSON body, UUID id, schema/severity/sent-at headers, persistent.
     *
     * @return the message id
     */
    String publish(String routingKey, Object body) throws IOException {
        String sentAt = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .atOffset(ZoneOffset.UTC));
        String id = UUID.randomUUID().toString();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json").contentEncoding("utf-8").deliveryMode(2)
                .messageId(id)
                .headers(Map.of("fedora_messaging_schema", "base.message", "fedora_messaging_severity", 20,
                        "sent-at", sentAt, "priority", 0))
                .build();
        awaitOpen(Duration.ofSeconds(90));
        channel.basicPublish("amq.topic", routingKey, props, EventJson.writeString(body).getBytes(StandardCharsets.UTF_8));
        try {
            channel.waitForConfirmsOrDie(30_000); // the broker has it (a restart right after keeps it)
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("no publisher confirm for " + routingKey + ": " + e, e);
        }
        return id;
    }

    /**
     * After a restart of the broker the connection recovers by itself, a moment after the broker is back: a
     * publish waits for it rather than fail (nothing was sent while the channel was closed).
     */
    private void awaitOpen(Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (!channel.isOpen()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("the AMQP channel did not recover in " + timeout);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /** Publishes bytes as they are (bad input): the given headers, no content type. */
    void publishRaw(String routingKey, byte[] body, Map<String, Object> headers) throws IOException {
        publishRaw(routingKey, body, null, null, headers);
    }

    /** The body as it is, with these content type and encoding (null: none) and headers. */
    void publishRaw(String routingKey, byte[] body, String contentType, String contentEncoding,
            Map<String, Object> headers) throws IOException {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType(contentType)
                .contentEncoding(contentEncoding).messageId(UUID.randomUUID().toString()).headers(headers).build();
        channel.basicPublish("amq.topic", routingKey, props, body);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<Received> awaitUntil(Duration timeout, Predicate<List<Received>> done) throws TimeoutException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (done.test(received())) {
                return received();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new TimeoutException("bus condition not met after " + timeout + "; received " + received.size());
    }

    @Override
    public void close() throws Exception {
        try {
            channel.queueDelete(queue);
        } finally {
            connection.close();
        }
    }
}
