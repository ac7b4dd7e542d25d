package org.fedoraproject.fedimg.bridge.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Everything the bridge talks to besides Kafka: a compose server, an AMQP broker (the machine's RabbitMQ at
 * 127.0.0.1:5672, or an embedded Qpid Broker-J where none answers), fedmsg ports and a test PKI. Values reach
 * the tests as system properties ({@code bridge.test.*}), since test and resource may not share statics.
 */
public class BridgeTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token-not-secret";
    public static final String PUNGI_CN = "pungi.fedoraproject.org";
    public static final String FEDIMG_CN = "fedimg.fedoraproject.org";
    public static final String REVOKED_CN = "revoked.fedoraproject.org";

    private ComposeServer compose;
    private EmbeddedAmqpBroker embedded;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("bridge-test");
            Path root = Files.createDirectories(dir.resolve("www"));
            compose = new ComposeServer(root);

            String amqpUrl;
            String amqpKind;
            // -Dbridge.test.amqp=embedded forces the fallback broker, to check it where RabbitMQ does run
            boolean forceEmbedded = "embedded".equals(System.getProperty("bridge.test.amqp"));
            if (!forceEmbedded && EmbeddedAmqpBroker.reachable("127.0.0.1", 5672)) {
                amqpUrl = "amqp://guest:guest@127.0.0.1:5672/%2F";
                amqpKind = "rabbitmq";
            } else {
                System.out.println("[bridge-test] " + (forceEmbedded ? "bridge.test.amqp=embedded"
                        : "no RabbitMQ at 127.0.0.1:5672") + ": starting embedded Qpid Broker-J");
                embedded = EmbeddedAmqpBroker.start();
                amqpUrl = embedded.url();
                amqpKind = "embedded-qpid";
            }

            TestPki pki = new TestPki("fedmsg-test-ca");
            Path pkiDir = Files.createDirectories(dir.resolve("pki"));
            TestPki.writePem(pkiDir.resolve("ca.pem"), pki.ca);
            for (String cn : new String[] { PUNGI_CN, FEDIMG_CN, REVOKED_CN, "intruder.fedoraproject.org" }) {
                TestPki.Issued issued = pki.issue(cn);
                TestPki.writePem(pkiDir.resolve(cn + ".crt"), issued.cert());
                TestPki.writePem(pkiDir.resolve(cn + ".key"), issued.keys().getPrivate());
            }
            TestPki.writePem(pkiDir.resolve("crl.pem"), pki.crl(
                    org.fedoraproject.fedimg.bridge.fedmsg.Pem.certificates(pkiDir.resolve(REVOKED_CN + ".crt")).get(0)));

            int subPort = EmbeddedAmqpBroker.freePort(); // the test's PUB binds it, the bridge's SUB connects
            int pubPort = EmbeddedAmqpBroker.freePort(); // the bridge's PUB binds it
            String queue = "fedimg-bridge-test-" + UUID.randomUUID();

            System.setProperty("bridge.test.www", root.toString());
            System.setProperty("bridge.test.compose-url", compose.baseUrl());
            System.setProperty("bridge.test.amqp-url", amqpUrl);
            System.setProperty("bridge.test.amqp-kind", amqpKind);
            System.setProperty("bridge.test.queue", queue);
            System.setProperty("bridge.test.pki", pkiDir.toString());
            System.setProperty("bridge.test.fedmsg-in", "tcp://127.0.0.1:" + subPort);
            System.setProperty("bridge.test.fedmsg-out", "tcp://127.0.0.1:" + pubPort);

            String base = compose.baseUrl();
            Map<String, String> c = new HashMap<>();
            c.put("fedimg.bridge.environment", "stg");
            c.put("fedimg.bridge.compose.metadata-rewrites", "https://kojipkgs.fedoraproject.org/=>" + base + "/,"
                    + "http://kojipkgs.fedoraproject.org/=>" + base + "/");
            c.put("fedimg.bridge.compose.location-templates", base + "/compose/{composeId}/compose,"
                    + base + "/compose/{release}/{composeId}/compose");
            c.put("fedimg.bridge.compose.http-timeout", "5s");
            c.put("fedimg.bridge.amqp.consume", "true");
            c.put("fedimg.bridge.amqp.publish", "true");
            c.put("fedimg.bridge.amqp.url", amqpUrl);
            c.put("fedimg.bridge.amqp.queue", queue);
            c.put("fedimg.bridge.amqp.queue-durable", "false");
            c.put("fedimg.bridge.amqp.queue-auto-delete", "true");
            c.put("fedimg.bridge.amqp.routing-keys", "org.fedoraproject.*.pungi.compose.status.change");
            c.put("fedimg.bridge.amqp.prefetch-count", "5");
            c.put("fedimg.bridge.amqp.reconnect-delay", "1s");
            c.put("fedimg.bridge.fedmsg.subscribe.enabled", "true");
            c.put("fedimg.bridge.fedmsg.subscribe.endpoints", "tcp://127.0.0.1:" + subPort);
            c.put("fedimg.bridge.fedmsg.subscribe.topic-prefixes", "org.fedoraproject.prod.pungi.compose.status.change");
            c.put("fedimg.bridge.fedmsg.validation.enabled", "true");
            c.put("fedimg.bridge.fedmsg.validation.ca-cert", pkiDir.resolve("ca.pem").toString());
            c.put("fedimg.bridge.fedmsg.validation.crl", pkiDir.resolve("crl.pem").toString());
            c.put("fedimg.bridge.fedmsg.validation.routing-policy.\"org.fedoraproject.prod.pungi.compose.status.change\"",
                    PUNGI_CN + "," + REVOKED_CN);
            c.put("fedimg.bridge.fedmsg.publish.enabled", "true");
            c.put("fedimg.bridge.fedmsg.publish.endpoint", "tcp://127.0.0.1:" + pubPort);
            c.put("fedimg.bridge.fedmsg.publish.sign", "true");
            c.put("fedimg.bridge.fedmsg.publish.certfile", pkiDir.resolve(FEDIMG_CN + ".crt").toString());
            c.put("fedimg.bridge.fedmsg.publish.keyfile", pkiDir.resolve(FEDIMG_CN + ".key").toString());
            c.put("fedimg.bridge.trigger.token", TOKEN);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException("bridge test resources did not start: " + e, e);
        }
    }

    @Override
    public void stop() {
        if (compose != null) {
            compose.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
