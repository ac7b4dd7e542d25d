package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every configuration key the manifests set exists in the service it is given to: in its
 * application.properties, or in a {@code @ConfigMapping} of its sources or of the shared modules. Environment
 * variable names are matched by SmallRye's rule ({@code fedimg.aws.base-region} is
 * {@code FEDIMG_AWS_BASE_REGION}).
 */
class ConfigKeysTest {

    /** Environment variables that are not Quarkus configuration: read by the image's run-java.sh. */
    static final Set<String> NOT_CONFIG = Set.of("JAVA_OPTS_APPEND");

    static final Path K8S = Paths.DEPLOY.resolve("k8s");

    @Test
    void configMapsOfTheBaseAndOverlaysSetOnlyKeysTheServicesKnow() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path dir : List.of(K8S.resolve("base"), K8S.resolve("overlays/staging"), K8S.resolve("overlays/production"))) {
            for (Material.Generator g : Material.configMapGenerators(dir)) {
                List<ServiceModule> targets = targets(g.name());
                for (Path env : g.envs()) {
                    for (String name : Material.envFile(env).keySet()) {
                        checked++;
                        for (ServiceModule s : targets) {
                            if (!keys(s).knowsEnv(name)) {
                                problems.add(Paths.DEPLOY.relativize(env) + ": " + name + " is no config key of " + s.module());
                            }
                        }
                    }
                }
                for (Map.Entry<String, Path> f : g.files().entrySet()) {
                    if (f.getKey().equals("application.properties")) {
                        for (String key : Material.properties(f.getValue()).stringPropertyNames()) {
                            checked++;
                            for (ServiceModule s : targets) {
                                if (!keys(s).knows(key)) {
                                    problems.add(Paths.DEPLOY.relativize(f.getValue()) + ": " + key + " is no config key of " + s.module());
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(problems).as("keys unknown to the services").isEmpty();
        assertThat(checked).isGreaterThan(20);
    }

    @Test
    void deploymentEnvAndSecretExamplesSetOnlyKnownKeys() {
        List<String> problems = new ArrayList<>();
        for (ServiceModule s : ServiceModule.ALL) {
            for (String name : KustomizeManifestsTest.env(s).keySet()) {
                if (!NOT_CONFIG.contains(name) && !keys(s).knowsEnv(name)) {
                    problems.add("Deployment " + s.module() + ": " + name);
                }
            }
            Path secret = K8S.resolve("secrets/" + s.module() + "-secrets.env.example");
            for (String name : Material.envFile(secret).keySet()) {
                if (!keys(s).knowsEnv(name)) {
                    problems.add(Paths.DEPLOY.relativize(secret) + ": " + name);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void composeSetsOnlyKnownKeys() {
        JsonNode compose = Material.yaml(Paths.DEPLOY.resolve("compose/compose.yaml"));
        List<String> problems = new ArrayList<>();
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode env = compose.at("/services/" + s.module() + "/environment");
            assertThat(env.isObject()).as(s.module() + " environment").isTrue();
            env.fieldNames().forEachRemaining(name -> {
                if (!NOT_CONFIG.contains(name) && !keys(s).knowsEnv(name)) {
                    problems.add("compose " + s.module() + ": " + name);
                }
            });
        }
        // fedimg.env is read by all four: each of its keys must mean something to at least one
        for (String name : Material.envFile(Paths.DEPLOY.resolve("compose/fedimg.env.example")).keySet()) {
            if (ServiceModule.ALL.stream().noneMatch(s -> keys(s).knowsEnv(name))) {
                problems.add("compose/fedimg.env.example: " + name);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyGeneratorIsKnown() {
        for (Path dir : List.of(K8S.resolve("base"), K8S.resolve("overlays/staging"), K8S.resolve("overlays/production"))) {
            for (Material.Generator g : Material.configMapGenerators(dir)) {
                targets(g.name()); // throws for a ConfigMap no service reads
                g.envs().forEach(e -> assertThat(e).exists());
                g.files().values().forEach(f -> assertThat(f).exists());
            }
        }
    }

    /** The services a generated ConfigMap is given to, by the naming the base uses. */
    static List<ServiceModule> targets(String configMap) {
        if (configMap.equals("fedimg-kafka")) {
            return ServiceModule.ALL;
        }
        for (ServiceModule s : ServiceModule.ALL) {
            if (configMap.equals(s.module() + "-config") || configMap.equals(s.module() + "-properties")) {
                return List.of(s);
            }
            if (configMap.equals(s.module() + "-script")) {
                return List.of(); // a file (the test script), not configuration
            }
        }
        throw new AssertionError("ConfigMap " + configMap + " is not read by any service");
    }

    private static final Map<ServiceModule, ConfigKeys> KEYS = new LinkedHashMap<>();

    static synchronized ConfigKeys keys(ServiceModule s) {
        return KEYS.computeIfAbsent(s, m -> ConfigKeys.of(Paths.ROOT, m));
    }

    // ------------------------------------------------------------------ the parser itself

    @Test
    void mappingKeysFollowSmallRyeNaming(@TempDir Path src) throws Exception {
        Path pkg = Files.createDirectories(src.resolve("x/config"));
        Files.writeString(pkg.resolve("XConfig.java"), """
                package x.config;
                import java.time.Duration;
                import java.util.*;
                import io.smallrye.config.*;
                @ConfigMapping(prefix = "fedimg.x")
                public interface XConfig {
                    @WithDefault("8") int blockConcurrency();
                    Optional<String> kmsKeyId();
                    @WithName("published-topic") Topic topic();
                    Map<String, Duration> deprecation();
                    Map<String, Amis> amis();
                    @WithParentName Flat flat();
                    Mode mode();
                    default int derived() { return 1; }
                    enum Mode { A, B }
                    interface Topic { @WithDefault("true") boolean manage(); }
                    interface Amis { @WithName("x86_64") Optional<String> x8664(); }
                    interface Flat { String apiURL(); }
                }
                """);
        assertThat(ConfigKeys.mappingKeys(src)).containsExactlyInAnyOrder(
                "fedimg.x.block-concurrency", "fedimg.x.kms-key-id", "fedimg.x.published-topic.manage",
                "fedimg.x.deprecation.*", "fedimg.x.amis.*.x86_64", "fedimg.x.api-url", "fedimg.x.mode");
    }

    @Test
    void environmentNamesMatchKeysAndMapPatterns() {
        assertThat(ConfigKeys.envName("fedimg.aws.base-region")).isEqualTo("FEDIMG_AWS_BASE_REGION");
        assertThat(ConfigKeys.envName("%prod.kafka.bootstrap.servers")).isEqualTo("_PROD_KAFKA_BOOTSTRAP_SERVERS");
        ConfigKeys keys = ConfigKeys.of(Paths.ROOT, ServiceModule.named("replicator-service"));
        assertThat(keys.knowsEnv("FEDIMG_AWS_BASE_REGION")).isTrue();
        assertThat(keys.knowsEnv("KAFKA_BOOTSTRAP_SERVERS")).isTrue();
        assertThat(keys.knowsEnv("FEDIMG_AWS_BASE_REGIONS")).isFalse();
        assertThat(keys.knowsEnv("FEDIMG_REPLICATOR_NO_SUCH_THING")).isFalse();
        assertThat(keys.knows("fedimg.aws.no-such-thing")).isFalse();
    }
}
