package org.fedoraproject.fedimg.bridge.support;

import java.util.HashMap;
import java.util.Map;

import org.fedoraproject.fedimg.testing.RabbitNode;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A plain RabbitMQ node of the test's own (guest/guest on loopback, its own port), which a test may stop and start
 * again: the bridge publishes to it. Runs after {@link BridgeTestResource} ({@link #order()}), so its AMQP URL
 * replaces the shared broker's; the bridge does not consume from it, so only the outbound side meets the outage.
 */
public class RabbitNodeTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile RabbitNode node;

    public static RabbitNode node() {
        if (node == null) {
            throw new IllegalStateException("no RabbitMQ node: RabbitNodeTestResource did not start in this class loader");
        }
        return node;
    }

    @Override
    public Map<String, String> start() {
        node = RabbitNode.create().start();
        Map<String, String> c = new HashMap<>();
        c.put("fedimg.bridge.amqp.url", node.amqpUrl());
        c.put("fedimg.bridge.amqp.consume", "false");
        c.put("fedimg.bridge.amqp.publish", "true");
        return c;
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
            node = null;
        }
    }
}
