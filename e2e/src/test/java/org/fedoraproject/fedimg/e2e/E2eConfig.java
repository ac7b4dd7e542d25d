package org.fedoraproject.fedimg.e2e;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.cli.local.LocalConfig;

/** Service settings for end-to-end runs: the bus, the regions and the test script. */
final class E2eConfig {

    static final String RABBIT_URL = System.getProperty("fedimg.e2e.amqp-url", "amqp://guest:guest@127.0.0.1:5672/%2F");
    static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
            "ap-southeast-2", "ap-east-1", "me-central-1", "sa-east-1");

    private E2eConfig() {
    }

    static Path projectDir() {
        return Path.of(System.getProperty("fedimg.project.dir", "..")).toAbsolutePath().normalize();
    }

    /** The bridge on fedora-messaging, in its own environment so parallel runs on one RabbitMQ never mix. */
    static Map<String, Map<String, String>> perService(String environment, String queue, Path work) {
        Map<String, String> bridge = new LinkedHashMap<>();
        bridge.put("fedimg.bridge.environment", environment);
        bridge.put("fedimg.bridge.amqp.consume", "true");
        bridge.put("fedimg.bridge.amqp.publish", "true");
        bridge.put("fedimg.bridge.amqp.url", RABBIT_URL);
        bridge.put("fedimg.bridge.amqp.routing-keys", "org.fedoraproject." + environment + ".pungi.compose.status.change");
        bridge.put("fedimg.bridge.amqp.queue", queue);
        bridge.put("fedimg.bridge.amqp.queue-durable", "false");
        bridge.put("fedimg.bridge.amqp.queue-auto-delete", "true");
        bridge.put("fedimg.bridge.fedmsg.subscribe.enabled", "false");
        bridge.put("fedimg.bridge.fedmsg.publish.enabled", "false");
        return Map.of(
                "bridge-fedmsg", bridge,
                "uploader-service", Map.of(),
                "tester-service", Map.of("fedimg.tester.script-path", LocalConfig.testScript(work).toString()),
                "replicator-service", Map.of());
    }
}
