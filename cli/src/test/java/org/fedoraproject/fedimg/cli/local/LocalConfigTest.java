package org.fedoraproject.fedimg.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Local mode's settings: every key of --config wins over local mode's own defaults. */
class LocalConfigTest {

    private static final LocalBus.Topics TOPICS = new LocalBus.Topics("org.fedoraproject", "local-abc");
    private static final Map<String, String> FEDMSG_BUS = Map.of(
            "fedimg.bridge.fedmsg.subscribe.enabled", "true",
            "fedimg.bridge.amqp.consume", "false",
            "fedimg.bridge.amqp.publish", "false");

    @Test
    void aConfigKeyWinsOverLocalModesDefaultsInEveryService() {
        // as a user met it: AMQP switched on in --config stayed off, local mode set it after the file
        Map<String, String> user = Map.of("fedimg.bridge.amqp.consume", "true", "fedimg.bridge.amqp.publish", "true",
                "fedimg.tester.script-path", "/srv/my-test.sh", "fedimg.bridge.outbound.successor.rawhide-release", "45");
        Map<String, Map<String, String>> services = LocalConfig.withUserConfig(
                LocalConfig.defaults(FEDMSG_BUS, TOPICS, Path.of("/run/test-ami.sh"), Optional.of(44), false), user);

        assertThat(services.get("bridge-fedmsg"))
                .containsEntry("fedimg.bridge.amqp.consume", "true")
                .containsEntry("fedimg.bridge.amqp.publish", "true")
                .containsEntry("fedimg.bridge.fedmsg.subscribe.enabled", "true")
                .containsEntry("fedimg.bridge.outbound.successor.rawhide-release", "45")
                .containsEntry("fedimg.bridge.environment", "local-abc");
        assertThat(services.get("tester-service")).containsEntry("fedimg.tester.script-path", "/srv/my-test.sh");
        assertThat(services).allSatisfy((name, config) -> assertThat(config).containsAllEntriesOf(user));
    }

    @Test
    void realAwsRunsTheProductionProfileUnlessTheConfigSaysOtherwise() {
        var defaults = LocalConfig.defaults(FEDMSG_BUS, TOPICS, Path.of("t.sh"), Optional.empty(), true);
        assertThat(defaults).allSatisfy((name, config) -> assertThat(config).containsEntry("quarkus.profile", "prod"));
        assertThat(LocalConfig.withUserConfig(defaults, Map.of("quarkus.profile", "staging")))
                .allSatisfy((name, config) -> assertThat(config).containsEntry("quarkus.profile", "staging"));
        assertThat(LocalConfig.defaults(FEDMSG_BUS, TOPICS, Path.of("t.sh"), Optional.empty(), false).get("bridge-fedmsg"))
                .doesNotContainKeys("quarkus.profile", RawhideRelease.CONFIG_KEY);
    }

    @Test
    void oneEnvironmentNamesTheComposeTopicAndTheBridgesTopics() {
        LocalBus.Topics own = LocalConfig.topics(Map.of(), "local-xyz");
        assertThat(own.compose()).isEqualTo("org.fedoraproject.local-xyz.pungi.compose.status.change");
        assertThat(own.outbound()).containsExactly("org.fedoraproject.local-xyz.fedimg.",
                "org.fedoraproject.local-xyz.fedora_image_uploader.");
        LocalBus.Topics configured = LocalConfig.topics(Map.of("fedimg.bridge.environment", "stg",
                "fedimg.bridge.topic-prefix", "io.example"), "local-xyz");
        assertThat(configured.compose()).isEqualTo("io.example.stg.pungi.compose.status.change");
        assertThat(LocalConfig.defaults(FEDMSG_BUS, configured, Path.of("t.sh"), Optional.empty(), false)
                .get("bridge-fedmsg")).containsEntry("fedimg.bridge.environment", "stg")
                .containsEntry("fedimg.bridge.topic-prefix", "io.example");
    }

    @Test
    void anAmqpPasswordIsRefusedOnTheCommandLine() {
        assertThatThrownBy(() -> LocalBus.open("amqp://fedimg:s3cret@127.0.0.1:5672/%2F", Map.of()))
                .hasMessageContaining("--config").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> LocalBus.open("amqp://127.0.0.1:5672/%2F",
                Map.of(LocalBus.AMQP_URL_KEY, "amqp://u:p@10.0.0.1/%2F"))).hasMessageContaining("give the URL once");
        assertThatThrownBy(() -> LocalBus.open("zeromq", Map.of())).hasMessageContaining("fedmsg, amqp");
    }
}
