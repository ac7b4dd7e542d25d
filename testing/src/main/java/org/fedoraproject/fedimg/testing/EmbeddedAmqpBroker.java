package org.fedoraproject.fedimg.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.qpid.server.SystemLauncher;

/**
 * An AMQP 0-9-1 broker for machines without RabbitMQ: Apache Qpid Broker-J, in memory, in this JVM, with
 * one user (guest/guest unless given) and amq.topic like RabbitMQ's default virtual host.
 */
public final class EmbeddedAmqpBroker implements AutoCloseable {

    private static final String CONFIG = """
            {
              "name": "fedimg-test-broker",
              "modelVersion": "8.0",
              "authenticationproviders": [ {
                "name": "plain", "type": "Plain", "secureOnlyMechanisms": [],
                "users": [ { "name": "${user}", "type": "managed", "password": "${password}" } ]
              } ],
              "ports": [ {
                "name": "AMQP", "port": "${qpid.amqp_port}", "bindingAddress": "127.0.0.1",
                "protocols": [ "AMQP_0_9_1" ], "authenticationProvider": "plain",
                "virtualhostaliases": [ { "name": "nameAlias", "type": "nameAlias" },
                                        { "name": "defaultAlias", "type": "defaultAlias" } ]
              } ],
              "virtualhostnodes": [ {
                "name": "default", "type": "Memory", "defaultVirtualHostNode": "true",
                "virtualHostInitialConfiguration": "{\\"type\\": \\"Memory\\"}"
              } ]
            }
            """;

    private final SystemLauncher launcher = new SystemLauncher();
    private final int port;
    private final Path workDir;
    private final String user;
    private final String password;

    private EmbeddedAmqpBroker(int port, Path workDir, String user, String password) {
        this.port = port;
        this.workDir = workDir;
        this.user = user;
        this.password = password;
    }

    public static EmbeddedAmqpBroker start() {
        return start("guest", "guest");
    }

    /** With one user (letters, digits, '-' and '_' only: the values go into JSON and the URL as they are). */
    public static EmbeddedAmqpBroker start(String user, String password) {
        try {
            Path work = Files.createTempDirectory("qpid-broker-j");
            Path config = work.resolve("initial-config.json");
            Files.writeString(config, CONFIG.replace("${user}", user).replace("${password}", password));
            int port = freePort();
            EmbeddedAmqpBroker broker = new EmbeddedAmqpBroker(port, work, user, password);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("type", "Memory");
            attributes.put("initialConfigurationLocation", config.toUri().toString());
            attributes.put("startupLoggedToSystemOut", false);
            attributes.put("context", Map.of("qpid.amqp_port", String.valueOf(port), "qpid.work_dir",
                    work.toString(), "qpid.home_dir", work.toString()));
            broker.launcher.startup(attributes);
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("embedded AMQP broker did not start: " + e, e);
        }
    }

    public String url() {
        return "amqp://" + user + ":" + password + "@127.0.0.1:" + port + "/%2F";
    }

    @Override
    public void close() {
        launcher.shutdown();
    }

    /** Whether something accepts TCP connections at host:port. */
    public static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
