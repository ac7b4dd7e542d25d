package org.fedoraproject.fedimg.bridge.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.testing.RabbitNode;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A RabbitMQ node of the test's own with TLS only, client certificates and SASL EXTERNAL, like Fedora's
 * broker, and the bridge pointed at it with {@code amqps://} and its own client certificate. The certificates
 * are made here: the broker's CA with the node's, the bridge's and a test publisher's certificates, and a
 * second CA that signed nothing the node trusts. The queue is durable, as in Fedora's configuration, so it
 * keeps its messages across a restart of the node.
 *
 * <p>Runs after {@link BridgeTestResource} ({@link #order()}), so these AMQP settings replace its own. The
 * test reaches the node through {@link #node()}: test and resource share this class in Quarkus' class loader.
 */
public class RabbitTlsTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BRIDGE_USER = "fedimg-bridge";
    public static final String PUBLISHER_USER = "fedora-messaging-test";

    private static volatile RabbitNode node;

    public static RabbitNode node() {
        if (node == null) {
            throw new IllegalStateException("no RabbitMQ node: RabbitTlsTestResource did not start in this class loader");
        }
        return node;
    }

    /** Where the certificates are: {@code ca.pem}, {@code <user>.crt/.key}, {@code other-ca.pem}, {@code foreign.crt/.key}. */
    public static Path pki() {
        return Path.of(System.getProperty("bridge.test.rabbit.pki"));
    }

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("bridge-rabbit-pki");
            System.setProperty("bridge.test.rabbit.pki", dir.toString());
            TestPki pki = new TestPki("fedora-messaging-test-ca");
            TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
            write(dir, "node", pki.issueServer("localhost", "localhost"));
            write(dir, BRIDGE_USER, pki.issue(BRIDGE_USER));
            write(dir, PUBLISHER_USER, pki.issue(PUBLISHER_USER));
            // the bridge's name, signed by a CA the node does not trust
            TestPki other = new TestPki("another-ca");
            TestPki.writePem(dir.resolve("other-ca.pem"), other.ca);
            write(dir, "foreign", other.issue(BRIDGE_USER));

            node = RabbitNode.create(new RabbitNode.Tls(dir.resolve("ca.pem"), dir.resolve("node.crt"),
                    dir.resolve("node.key")));
            node.start();
            for (String user : new String[] { BRIDGE_USER, PUBLISHER_USER }) {
                node.addUser(user, null); // certificate login only
                node.setPermissions(user);
            }

            Map<String, String> c = new HashMap<>();
            c.put("fedimg.bridge.amqp.url", node.amqpUrl());
            c.put("fedimg.bridge.amqp.tls.ca-cert", dir.resolve("ca.pem").toString());
            c.put("fedimg.bridge.amqp.tls.certfile", dir.resolve(BRIDGE_USER + ".crt").toString());
            c.put("fedimg.bridge.amqp.tls.keyfile", dir.resolve(BRIDGE_USER + ".key").toString());
            c.put("fedimg.bridge.amqp.queue", "fedimg-bridge-tls-" + UUID.randomUUID());
            c.put("fedimg.bridge.amqp.queue-durable", "true");
            c.put("fedimg.bridge.amqp.queue-auto-delete", "false");
            c.put("fedimg.bridge.amqp.queue-exclusive", "false");
            // the restart test holds a message unacked with a metadata server that answers late, not never
            c.put("fedimg.bridge.compose.http-timeout", "60s");
            return c;
        } catch (Exception e) {
            if (node != null) {
                node.close();
            }
            throw new IllegalStateException("RabbitMQ TLS test node did not start: " + e.getMessage(), e);
        }
    }

    private static void write(Path dir, String name, TestPki.Issued issued) {
        TestPki.writePem(dir.resolve(name + ".crt"), issued.cert());
        TestPki.writePem(dir.resolve(name + ".key"), issued.keys().getPrivate());
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
        String pki = System.getProperty("bridge.test.rabbit.pki");
        if (pki != null) {
            try (var files = Files.walk(Path.of(pki))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp dir left behind is harmless
            }
        }
    }
}
