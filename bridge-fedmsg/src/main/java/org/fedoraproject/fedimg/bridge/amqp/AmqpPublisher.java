package org.fedoraproject.fedimg.bridge.amqp;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.BusMessage;
import org.fedoraproject.fedimg.bridge.fedmsg.CanonicalJson;
import org.fedoraproject.fedimg.bridge.outbound.BusTransport;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.jboss.logging.Logger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Publishes to fedora-messaging like {@code fedora_messaging.api.publish}: JSON body in Python's
 * {@code json.dumps} form, content type/encoding, persistent delivery, the message id, the
 * {@code fedora_messaging_schema}, {@code _severity}, {@code sent-at} and {@code priority} headers,
 * mandatory routing and publisher confirms. Publishing blocks (confirm wait), so it runs on its own thread.
 */
@ApplicationScoped
public class AmqpPublisher implements BusTransport {

    private static final Logger LOG = Logger.getLogger(AmqpPublisher.class);
    static final DateTimeFormatter SENT_AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

    private final BridgeConfig.Amqp config;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "amqp-publisher");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> returned = ConcurrentHashMap.newKeySet();
    private final Clock clock = Clock.systemUTC();
    private Connection connection;
    private Channel channel;

    public AmqpPublisher(BridgeConfig config) {
        this.config = config.amqp();
    }

    @Override
    public String name() {
        return "amqp";
    }

    @Override
    public Uni<Delivery> publish(BusMessage message) {
        return Uni.createFrom().item(() -> publishBlocking(message)).runSubscriptionOn(executor);
    }

    private Delivery publishBlocking(BusMessage m) {
        try {
            Channel ch = channel();
            byte[] body = CanonicalJson.pythonDumps(EventJson.MAPPER.valueToTree(m.body()))
                    .getBytes(StandardCharsets.UTF_8);
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("fedora_messaging_schema", m.schema());
            if (m.schemaPackage() != null) {
                headers.put("fedora_messaging_schema_package", m.schemaPackage());
            }
            headers.put("fedora_messaging_severity", m.severity());
            headers.put("sent-at", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)
                    .truncatedTo(ChronoUnit.SECONDS).format(SENT_AT));
            headers.put("priority", config.publishPriority().orElse(0));
            AMQP.BasicProperties.Builder props = new AMQP.BasicProperties.Builder()
                    .contentType("application/json").contentEncoding("utf-8").deliveryMode(2)
                    .messageId(m.id()).headers(headers);
            config.publishPriority().ifPresent(props::priority);
            returned.remove(m.id());
            ch.basicPublish(config.publishExchange(), m.topic(), true, props.build(), body);
            ch.waitForConfirmsOrDie(config.confirmTimeout().toMillis());
            return returned.remove(m.id()) ? Delivery.UNROUTABLE : Delivery.DELIVERED;
        } catch (Exception e) {
            reset();
            throw new IllegalStateException("AMQP publish of " + m.topic() + " failed: " + AmqpFailures.describe(e, config),
                    e);
        }
    }

    private Channel channel() throws Exception {
        if (channel == null || !channel.isOpen()) {
            if (connection == null || !connection.isOpen()) {
                connection = AmqpConnections.factory(config).newConnection("fedimg-bridge-publisher");
            }
            channel = connection.createChannel();
            channel.confirmSelect();
            // the outcome (UNROUTABLE) is logged and counted by OutboundPublisher, once per topic
            channel.addReturnListener(r -> {
                if (r.getProperties().getMessageId() != null) {
                    returned.add(r.getProperties().getMessageId());
                }
                LOG.debugf("AMQP broker returned %s: no queue bound (%d %s)", r.getRoutingKey(), r.getReplyCode(),
                        r.getReplyText());
            });
        }
        return channel;
    }

    private void reset() {
        try {
            if (connection != null) {
                connection.close(2000);
            }
        } catch (Exception e) {
            LOG.debugf("closing AMQP publisher connection: %s", e.getMessage());
        }
        connection = null;
        channel = null;
    }

    public void stop() {
        executor.submit(this::reset);
        executor.shutdown();
    }
}
