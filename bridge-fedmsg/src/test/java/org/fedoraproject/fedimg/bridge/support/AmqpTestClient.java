package org.fedoraproject.fedimg.bridge.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

/** Publishes like a fedora-messaging producer and reads queues, against the test's AMQP broker. */
public final class AmqpTestClient implements AutoCloseable {

    private final Connection connection;
    private final Channel channel;

    public AmqpTestClient() {
        this(plain(System.getProperty("bridge.test.amqp-url")));
    }

    /** Over the given factory, e.g. one with TLS and a client certificate. */
    public AmqpTestClient(ConnectionFactory f) {
        try {
            connection = f.newConnection("fedimg-bridge-test");
            channel = connection.createChannel();
            channel.confirmSelect();
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to the test AMQP broker: " + e, e);
        }
    }

    private static ConnectionFactory plain(String url) {
        try {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(url);
            return f;
        } catch (Exception e) {
            throw new IllegalStateException("bad test AMQP URL: " + e, e);
        }
    }

    public void publish(String routingKey, String messageId, String body) {
        publish(routingKey, messageId, body.getBytes(StandardCharsets.UTF_8));
    }

    public void publish(String routingKey, String messageId, byte[] body) {
        try {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .contentEncoding("utf-8").deliveryMode(2).messageId(messageId).build();
            channel.basicPublish("amq.topic", routingKey, props, body);
            channel.waitForConfirmsOrDie(10_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server-named queue bound to the keys, for reading what the bridge publishes. */
    public String bindQueue(String... routingKeys) {
        try {
            String q = channel.queueDeclare().getQueue();
            for (String key : routingKeys) {
                channel.queueBind(q, "amq.topic", key);
            }
            return q;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A durable queue of this name bound to the keys: it keeps what the bridge publishes across a broker restart. */
    public String bindDurableQueue(String name, String... routingKeys) {
        try {
            channel.queueDeclare(name, true, false, false, null);
            for (String key : routingKeys) {
                channel.queueBind(name, "amq.topic", key);
            }
            return name;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public long readyCount(String queue) {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Gets messages (auto-ack) until {@code done} holds for all gotten so far. */
    public List<GetResponse> getUntil(String queue, Duration timeout, Predicate<List<GetResponse>> done) {
        List<GetResponse> got = new ArrayList<>();
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (Instant.now().isBefore(deadline)) {
                GetResponse r = channel.basicGet(queue, true);
                if (r != null) {
                    got.add(r);
                    if (done.test(got)) {
                        return got;
                    }
                } else {
                    if (done.test(got)) {
                        return got;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("timed out waiting on AMQP queue " + queue + "; got " + got.size() + " messages");
    }

    @Override
    public void close() {
        try {
            connection.close(3000);
        } catch (Exception e) {
            // test teardown
        }
    }
}
