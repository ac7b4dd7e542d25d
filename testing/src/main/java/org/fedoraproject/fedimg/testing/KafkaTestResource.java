package org.fedoraproject.fedimg.testing;

import java.util.Map;

import org.fedoraproject.fedimg.local.KafkaBroker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a Quarkus test at the JVM's shared real broker ({@link KafkaBroker#shared()}). Dev Services
 * stay off: there is no container engine here.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaBroker broker = KafkaBroker.shared();
        return Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // the shared broker lives until the JVM exits, so later test classes reuse it
    }
}
