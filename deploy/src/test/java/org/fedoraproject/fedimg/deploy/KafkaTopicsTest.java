package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;

/**
 * Strimzi resources: one KafkaTopic per topic of docs/events.md and per topic the services keep their own
 * state in, each with the settings its role needs, and the compose file creating the same topics.
 */
class KafkaTopicsTest {

    static final Path KAFKA = Paths.DEPLOY.resolve("k8s/kafka");

    @Test
    void everyDocumentedTopicHasAKafkaTopicAndNothingElseDoes() throws IOException {
        Set<String> documented = documentedTopics();
        assertThat(documented).contains("fedimg.images", "fedimg.amis.published", "fedimg.dead-letter");
        Set<String> own = serviceOwnTopics();
        Set<String> declared = kafkaTopics().keySet();
        assertThat(declared).containsAll(documented).containsAll(own);
        Set<String> known = new TreeSet<>(documented);
        known.addAll(own);
        known.addAll(configuredTopics());
        assertThat(known).as("topics named by docs/events.md or the services").containsAll(declared);
    }

    @Test
    void theCatalogueAndTheBridgeStateAreCompactedAndDeadLettersKeptLong() {
        Map<String, JsonNode> topics = kafkaTopics();
        JsonNode published = topics.get("fedimg.amis.published").path("config");
        assertThat(published.path("cleanup.policy").asText()).isEqualTo("compact");
        assertThat(published.path("retention.ms").asLong()).isEqualTo(-1);
        for (String own : serviceOwnTopics()) {
            assertThat(topics.get(own).at("/config/cleanup.policy").asText()).as(own).isEqualTo("compact");
        }
        long deadLetterDays = topics.get("fedimg.dead-letter").at("/config/retention.ms").asLong() / 86_400_000L;
        assertThat(deadLetterDays).isGreaterThanOrEqualTo(90);
        for (Map.Entry<String, JsonNode> t : topics.entrySet()) {
            if (!t.getValue().at("/config/cleanup.policy").asText().equals("compact")) {
                // pipeline topics keep enough history to reset a consumer group a week back
                assertThat(t.getValue().at("/config/retention.ms").asLong()).as(t.getKey())
                        .isGreaterThanOrEqualTo(7 * 86_400_000L);
            }
            assertThat(t.getValue().path("replicas").asInt()).as(t.getKey()).isEqualTo(3);
            assertThat(t.getValue().at("/config/min.insync.replicas").asInt()).as(t.getKey()).isEqualTo(2);
        }
    }

    @Test
    void pipelineTopicsShareOnePartitionCount() {
        // keyed by image key: the same count keeps an image's events on "the same" partition number,
        // and bounds how many replicas × concurrency can work at once
        Map<String, JsonNode> topics = kafkaTopics();
        Set<Integer> counts = new TreeSet<>();
        for (String t : List.of("fedimg.images", "fedimg.amis.registered", "fedimg.amis.tested", "fedimg.amis.published",
                "fedimg.status")) {
            counts.add(topics.get(t).path("partitions").asInt());
        }
        assertThat(counts).hasSize(1);
        assertThat(counts.iterator().next()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theClusterIsKraftWithNodePoolsAndTheServicesUseItsBootstrap() {
        List<JsonNode> docs = Material.yamlDocuments(KAFKA.resolve("kafka.yaml"));
        JsonNode kafka = docs.stream().filter(d -> d.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode pool = docs.stream().filter(d -> d.path("kind").asText().equals("KafkaNodePool")).findFirst().orElseThrow();
        String cluster = kafka.at("/metadata/name").asText();
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1kraft").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/metadata/annotations/strimzi.io~1node-pools").asText()).isEqualTo("enabled");
        assertThat(kafka.at("/spec/zookeeper").isMissingNode()).isTrue();
        assertThat(pool.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(cluster);
        assertThat(pool.at("/spec/roles").toString()).contains("controller", "broker");
        assertThat(kafka.at("/spec/kafka/config/auto.create.topics.enable").asBoolean(true)).isFalse();
        for (JsonNode topic : Material.yamlDocuments(KAFKA.resolve("topics.yaml"))) {
            assertThat(topic.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(cluster);
        }
        int plainPort = -1;
        for (JsonNode l : kafka.at("/spec/kafka/listeners")) {
            if (!l.path("tls").asBoolean()) {
                plainPort = l.path("port").asInt();
            }
        }
        String bootstrap = Material.envFile(Paths.DEPLOY.resolve("k8s/base/kafka.env")).get("KAFKA_BOOTSTRAP_SERVERS");
        assertThat(bootstrap).isEqualTo(cluster + "-kafka-bootstrap:" + plainPort);
    }

    @Test
    void composeCreatesTheSameTopicsWithTheSameSettings() throws IOException {
        JsonNode compose = Material.yaml(Paths.DEPLOY.resolve("compose/compose.yaml"));
        String script = compose.at("/services/kafka-init/command/0").asText();
        Matcher m = Pattern.compile("topic\\s+(\\S+)\\s+--partitions\\s+(\\d+)((?:\\s+(?:\\\\\\s*)?--config\\s+\\S+)*)").matcher(script);
        Map<String, JsonNode> declared = kafkaTopics();
        Map<String, Integer> seen = new TreeMap<>();
        while (m.find()) {
            String name = m.group(1);
            seen.put(name, Integer.parseInt(m.group(2)));
            JsonNode k = declared.get(name);
            assertThat(k).as("compose topic " + name + " has a KafkaTopic").isNotNull();
            assertThat(Integer.parseInt(m.group(2))).as(name + " partitions").isEqualTo(k.path("partitions").asInt());
            Map<String, String> config = new TreeMap<>();
            Matcher c = Pattern.compile("--config\\s+([^=\\s]+)=(\\S+)").matcher(m.group(3));
            while (c.find()) {
                config.put(c.group(1), c.group(2));
            }
            Map<String, String> expected = new TreeMap<>();
            k.path("config").fields().forEachRemaining(e -> {
                if (!e.getKey().equals("min.insync.replicas")) { // one broker on compose
                    expected.put(e.getKey(), e.getValue().asText());
                }
            });
            assertThat(config).as(name + " config").isEqualTo(expected);
        }
        assertThat(seen.keySet()).isEqualTo(declared.keySet());
    }

    /** topicName → spec, from topics.yaml. */
    static Map<String, JsonNode> kafkaTopics() {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode doc : Material.yamlDocuments(KAFKA.resolve("topics.yaml"))) {
            assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
            JsonNode spec = doc.path("spec");
            String name = spec.path("topicName").asText(doc.at("/metadata/name").asText());
            assertThat(out.put(name, spec)).as("duplicate KafkaTopic " + name).isNull();
        }
        return out;
    }

    /** The first column of the table under "## Topics" in docs/events.md. */
    static Set<String> documentedTopics() throws IOException {
        Set<String> topics = new TreeSet<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(Paths.ROOT.resolve("docs/events.md"))) {
            if (line.startsWith("## ")) {
                inSection = line.trim().equals("## Topics");
            } else if (inSection && line.startsWith("| `")) {
                topics.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        return topics;
    }

    /**
     * Topics a service keeps its own state in: the default of a {@code topic()} method in a
     * {@code @ConfigMapping} (e.g. the bridge's dedup topic {@code fedimg.bridge.dedup.topic}).
     */
    static Set<String> serviceOwnTopics() {
        Set<String> out = new TreeSet<>();
        for (ServiceModule s : ServiceModule.ALL) {
            for (CompilationUnit unit : JavaSources.parse(s.mainSources(Paths.ROOT))) {
                for (MethodDeclaration m : unit.findAll(MethodDeclaration.class)) {
                    if (m.getNameAsString().toLowerCase().endsWith("topic")) {
                        m.getAnnotationByName("WithDefault").filter(a -> a instanceof SingleMemberAnnotationExpr)
                                .map(a -> ((SingleMemberAnnotationExpr) a).getMemberValue())
                                .filter(v -> v.isStringLiteralExpr())
                                .map(v -> v.asStringLiteralExpr().asString())
                                .filter(v -> v.startsWith("fedimg."))
                                .ifPresent(out::add);
                    }
                }
            }
        }
        return out;
    }

    /** Topics the services' channels name in application.properties ({@code mp.messaging.*.topic}). */
    static Set<String> configuredTopics() {
        Set<String> out = new TreeSet<>();
        for (ServiceModule s : ServiceModule.ALL) {
            Path props = s.applicationProperties(Paths.ROOT);
            if (Files.exists(props)) {
                var p = Material.properties(props);
                for (String key : p.stringPropertyNames()) {
                    if (ConfigKeys.withoutProfile(key).startsWith("mp.messaging.") && key.endsWith(".topic")) {
                        out.add(p.getProperty(key));
                    }
                }
            }
        }
        return out;
    }
}
