package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

import org.fedoraproject.fedimg.messaging.EventJson;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * fedora-messaging on a RabbitMQ broker ({@code --bus amqp}). Nothing on the broker is configured: local mode and
 * the bridge only publish to {@code amq.topic} and declare queues that go when they disconnect. The run's own
 * environment in every routing key keeps runs that share the broker apart; the bridge's queue is named after it.
 */
final class AmqpBus implements LocalBus {

    private static final String EXCHANGE = "amq.topic";
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final String safeUrl;
    private final Connection connection;
    private final Channel channel;
    /** Ids of messages the broker returned because no queue was bound (the bridge's not declared yet). */
    private final Set<String> returned = ConcurrentHashMap.newKeySet();

    AmqpBus(String url) {
        this.url = url;
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            // the URL may hold a password: never echo it
            throw new IllegalArgumentException(AMQP_URL_KEY + " is not a valid amqp:// or amqps:// URL");
        }
        this.safeUrl = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
        try {
            boolean amqps = url.startsWith("amqps://");
            ConnectionFactory factory = new ConnectionFactory();
            // amqps:// would make setUri trust every certificate; TLS with the JDK's trust store instead
            factory.setUri(amqps ? "amqp" + url.substring(5) : url);
            if (amqps) {
                if (uri.getPort() < 0) {
                    factory.setPort(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);
                }
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
            factory.setConnectionTimeout(10_000);
            connection = factory.newConnection("fedimg local mode");
            channel = connection.createChannel();
            channel.confirmSelect();
            channel.addReturnListener(r -> returned.add(r.getProperties().getMessageId()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to the AMQP broker " + safeUrl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "fedora-messaging (AMQP) on " + safeUrl + ", exchange " + EXCHANGE;
    }

    @Override
    public Map<String, String> bridgeConfig(Topics topics) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("fedimg.bridge.amqp.consume", "true");
        config.put("fedimg.bridge.amqp.publish", "true");
        config.put(AMQP_URL_KEY, url);
        config.put("fedimg.bridge.amqp.exchange", EXCHANGE);
        config.put("fedimg.bridge.amqp.publish-exchange", EXCHANGE);
        config.put("fedimg.bridge.amqp.routing-keys", topics.compose());
        config.put("fedimg.bridge.amqp.queue", "fedimg-" + topics.environment());
        config.put("fedimg.bridge.amqp.queue-durable", "false");
        config.put("fedimg.bridge.amqp.queue-auto-delete", "true");
        config.put("fedimg.bridge.fedmsg.subscribe.enabled", "false");
        config.put("fedimg.bridge.fedmsg.publish.enabled", "false");
        return config;
    }

    /** As fedora-messaging publishes: JSON body, the message id, schema, severity and sent-at headers, persistent. */
    @Override
    public synchronized boolean publish(String topic, Map<String, Object> body, String msgId) {
        String sentAt = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .atOffset(ZoneOffset.UTC));
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json").contentEncoding("utf-8").deliveryMode(2).messageId(msgId)
                .headers(Map.of("fedora_messaging_schema", "base.message", "fedora_messaging_severity", 20,
                        "sent-at", sentAt, "priority", 0))
                .build();
        try {
            returned.remove(msgId);
            // mandatory: an unroutable message comes back before the broker's confirm
            channel.basicPublish(EXCHANGE, topic, true, props, EventJson.writeString(body).getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
            return !returned.remove(msgId);
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("publishing " + topic + " on " + safeUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void listen(Topics topics, Consumer<String> listener) {
        try {
            // server-named, exclusive, auto-delete: gone with this connection
            String queue = channel.queueDeclare("", false, true, true, null).getQueue();
            for (String prefix : topics.outbound()) {
                channel.queueBind(queue, EXCHANGE, prefix + "#");
            }
            channel.basicConsume(queue, true, (tag, delivery) -> listener.accept(delivery.getEnvelope().getRoutingKey()),
                    tag -> {
                    });
        } catch (IOException e) {
            throw new IllegalStateException("listening on " + safeUrl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close(5000);
        } catch (IOException | RuntimeException e) {
            // already gone
        }
    }
}
