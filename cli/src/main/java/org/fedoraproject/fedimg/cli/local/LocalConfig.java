package org.fedoraproject.fedimg.cli.local;

import java.nio.file.Path;
import java.util.Map;

/** The per-service settings of local mode that depend on where things run on this machine. */
public final class LocalConfig {

    private LocalConfig() {
    }

    /** The local-mode AMI test script, written next to the compose so the tester can read it. */
    public static Path testScript(Path work) {
        Path script = work.resolve("test-ami.sh");
        try (var in = LocalConfig.class.getResourceAsStream("/local/test-ami.sh")) {
            java.nio.file.Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return script;
    }

    /**
     * @param busEndpoint the fedmsg PUB socket local mode publishes pungi messages on
     * @param busOutPort  where the bridge binds its fedmsg PUB socket for outgoing fedimg messages
     */
    static Map<String, Map<String, String>> perService(String busEndpoint, int busOutPort, Path work) {
        return Map.of(
                "bridge-fedmsg", Map.of(
                        "fedimg.bridge.fedmsg.subscribe.enabled", "true",
                        "fedimg.bridge.fedmsg.subscribe.endpoints", busEndpoint,
                        "fedimg.bridge.fedmsg.publish.enabled", "true",
                        "fedimg.bridge.fedmsg.publish.endpoint", "tcp://127.0.0.1:" + busOutPort,
                        "fedimg.bridge.amqp.consume", "false",
                        "fedimg.bridge.amqp.publish", "false"),
                "tester-service", Map.of("fedimg.tester.script-path", testScript(work).toString()),
                "uploader-service", Map.of(),
                "replicator-service", Map.of());
    }
}
