package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

/** The overlays render with kustomize (kubectl's, when installed) into what each environment needs. */
class KustomizeBuildTest {

    @ParameterizedTest
    @CsvSource({"staging,fedimg-stg,stg,us-east-2,1", "production,fedimg,prod,us-east-1,2"})
    void overlayRenders(String overlay, String namespace, String busEnv, String baseRegion, int workerReplicas)
            throws Exception {
        Path kubectl = Tools.onPath("kubectl").orElse(null);
        assumeTrue(kubectl != null, "kubectl is not installed: skipping the kustomize build of the overlays");
        Tools.Result r = Tools.run(Paths.DEPLOY, List.of(kubectl.toString(), "kustomize", "k8s/overlays/" + overlay));
        assertThat(r.exit()).as(r.output()).isZero();
        Path out = Files.createTempFile("fedimg-" + overlay, ".yaml");
        try {
            Files.writeString(out, r.output());
            Map<String, JsonNode> byName = new TreeMap<>();
            for (JsonNode doc : Material.yamlDocuments(out)) {
                byName.put(doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText(), doc);
                if (!doc.path("kind").asText().equals("Namespace")) {
                    assertThat(doc.at("/metadata/namespace").asText()).as(doc.at("/metadata/name").asText()).isEqualTo(namespace);
                }
            }
            for (ServiceModule s : ServiceModule.ALL) {
                JsonNode d = byName.get("Deployment/" + s.module());
                assertThat(d).as(s.module()).isNotNull();
                int replicas = d.at("/spec/replicas").asInt();
                assertThat(replicas).isEqualTo(s.module().equals("bridge-fedmsg") ? 1 : workerReplicas);
                JsonNode c = d.at("/spec/template/spec/containers/0");
                assertThat(c.path("image").asText()).startsWith(s.image() + ":");
                // generated ConfigMaps get a hash suffix: the Deployment must reference the rendered name
                c.path("envFrom").forEach(e -> {
                    if (e.has("configMapRef")) {
                        String name = e.at("/configMapRef/name").asText();
                        assertThat(byName).containsKey("ConfigMap/" + name);
                    }
                });
                if (s.callsAws()) {
                    String cm = configMapOf(c, s.module() + "-config");
                    assertThat(byName.get("ConfigMap/" + cm).at("/data/FEDIMG_AWS_BASE_REGION").asText()).isEqualTo(baseRegion);
                    assertThat(byName.get("ServiceAccount/" + s.module()).at("/metadata/annotations/eks.amazonaws.com~1role-arn")
                            .asText()).contains("fedimg-" + busEnv + "-");
                }
            }
            JsonNode bridge = byName.get("ConfigMap/" + configMapOf(
                    byName.get("Deployment/bridge-fedmsg").at("/spec/template/spec/containers/0"), "bridge-fedmsg-config"));
            assertThat(bridge.at("/data/FEDIMG_BRIDGE_ENVIRONMENT").asText()).isEqualTo(busEnv);
            assertThat(bridge.at("/data/FEDIMG_BRIDGE_AMQP_ROUTING_KEYS").asText())
                    .isEqualTo("org.fedoraproject." + busEnv + ".pungi.compose.status.change");
            assertThat(byName.keySet().stream().filter(k -> k.startsWith("KafkaTopic/"))).hasSize(
                    Material.yamlDocuments(Paths.DEPLOY.resolve("k8s/kafka/topics.yaml")).size());
            assertThat(byName).containsKey("Kafka/fedimg");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String configMapOf(JsonNode container, String prefix) {
        for (JsonNode e : container.path("envFrom")) {
            String name = e.at("/configMapRef/name").asText();
            if (name.startsWith(prefix + "-")) {
                return name;
            }
        }
        throw new AssertionError("no ConfigMap " + prefix + " in " + container.path("envFrom"));
    }
}
