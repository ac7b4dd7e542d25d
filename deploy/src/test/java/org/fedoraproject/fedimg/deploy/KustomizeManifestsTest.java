package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The kustomize base: one Deployment, Service and ServiceAccount per service, wired the way Quarkus runs. */
class KustomizeManifestsTest {

    static final Path BASE = Paths.DEPLOY.resolve("k8s/base");

    @Test
    void oneDeploymentPerServiceWithItsImageAndPort() {
        List<ObjectNode> deployments = Material.resources(BASE, "Deployment");
        assertThat(deployments).extracting(d -> d.path("metadata").path("name").asText())
                .containsExactlyInAnyOrderElementsOf(ServiceModule.ALL.stream().map(ServiceModule::module).toList());
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode c = container(s);
            assertThat(c.path("image").asText()).as(s.module()).startsWith(s.image() + ":");
            assertThat(Files.isDirectory(Paths.ROOT.resolve(s.module()))).as("module " + s.module()).isTrue();
            JsonNode port = c.path("ports").get(0);
            assertThat(port.path("containerPort").asInt()).isEqualTo(ServiceModule.HTTP_PORT);
            assertThat(port.path("name").asText()).isEqualTo("http");
        }
    }

    @Test
    void probesUseQuarkusHealth() {
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode c = container(s);
            assertThat(c.at("/livenessProbe/httpGet/path").asText()).as(s.module()).isEqualTo("/q/health/live");
            assertThat(c.at("/readinessProbe/httpGet/path").asText()).as(s.module()).isEqualTo("/q/health/ready");
            assertThat(c.at("/startupProbe/httpGet/path").asText()).as(s.module()).startsWith("/q/health");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo("http");
            }
        }
    }

    @Test
    void resourcesAreSetForAJvm() {
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode r = container(s).path("resources");
            for (String kind : List.of("requests", "limits")) {
                assertThat(r.path(kind).path("cpu").asText()).as(s.module() + " " + kind).isNotBlank();
                assertThat(mebibytes(r.path(kind).path("memory").asText())).as(s.module() + " " + kind + " memory")
                        .isGreaterThanOrEqualTo(256);
            }
            assertThat(mebibytes(r.at("/limits/memory").asText()))
                    .isGreaterThanOrEqualTo(mebibytes(r.at("/requests/memory").asText()));
            // heap sized from the limit, not the JVM's 25 % default
            assertThat(env(s)).containsKey("JAVA_OPTS_APPEND");
            assertThat(env(s).get("JAVA_OPTS_APPEND")).contains("MaxRAMPercentage");
        }
    }

    @Test
    void configComesFromConfigMapsAndSecrets() {
        Set<String> generated = Material.configMapGenerators(BASE).stream().map(Material.Generator::name)
                .collect(Collectors.toSet());
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode c = container(s);
            List<String> configMaps = new ArrayList<>();
            List<String> secrets = new ArrayList<>();
            c.path("envFrom").forEach(e -> {
                if (e.has("configMapRef")) {
                    configMaps.add(e.at("/configMapRef/name").asText());
                }
                if (e.has("secretRef")) {
                    secrets.add(e.at("/secretRef/name").asText());
                }
            });
            assertThat(configMaps).as(s.module()).contains(s.module() + "-config", "fedimg-kafka");
            assertThat(generated).containsAll(configMaps);
            assertThat(secrets).as(s.module()).containsExactly(s.module() + "-secrets");
            // every Secret the manifests use is documented with an example of its keys
            assertThat(Paths.DEPLOY.resolve("k8s/secrets/" + s.module() + "-secrets.env.example")).exists();
        }
    }

    @Test
    void everyVolumeComesFromTheKustomization() {
        Set<String> generated = Material.configMapGenerators(BASE).stream().map(Material.Generator::name)
                .collect(Collectors.toSet());
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode spec = deployment(s).at("/spec/template/spec");
            Set<String> volumes = new TreeSet<>();
            for (JsonNode v : spec.path("volumes")) {
                volumes.add(v.path("name").asText());
                if (v.has("configMap")) {
                    assertThat(generated).as(s.module() + " volume " + v.path("name").asText())
                            .contains(v.at("/configMap/name").asText());
                }
                if (v.has("secret")) {
                    assertThat(Paths.DEPLOY.resolve("k8s/secrets/" + v.at("/secret/secretName").asText() + ".example"))
                            .as("documented secret").exists();
                }
            }
            container(s).path("volumeMounts").forEach(m -> assertThat(volumes).contains(m.path("name").asText()));
        }
    }

    @Test
    void servicesTargetTheHttpPort() {
        List<ObjectNode> services = Material.resources(BASE, "Service");
        assertThat(services).hasSize(ServiceModule.ALL.size());
        for (ObjectNode svc : services) {
            String name = svc.at("/metadata/name").asText();
            assertThat(svc.at("/spec/selector/app.kubernetes.io~1name").asText()).isEqualTo(name);
            assertThat(svc.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
            assertThat(deployment(ServiceModule.named(name)).at("/spec/template/metadata/labels/app.kubernetes.io~1name")
                    .asText()).isEqualTo(name);
        }
    }

    @Test
    void awsServicesHaveAnIrsaServiceAccountAndTheBridgeHasNone() {
        List<ObjectNode> accounts = Material.resources(BASE, "ServiceAccount");
        for (ServiceModule s : ServiceModule.ALL) {
            ObjectNode sa = accounts.stream().filter(a -> a.at("/metadata/name").asText().equals(s.module()))
                    .findFirst().orElseThrow(() -> new AssertionError("no ServiceAccount " + s.module()));
            assertThat(deployment(s).at("/spec/template/spec/serviceAccountName").asText()).isEqualTo(s.module());
            String role = sa.at("/metadata/annotations/eks.amazonaws.com~1role-arn").asText();
            if (s.callsAws()) {
                assertThat(role).as(s.module()).matches("arn:aws:iam::\\d{12}:role/[\\w+=,.@-]+");
                assertThat(Paths.DEPLOY.resolve("iam").resolve(s.iamPolicy().orElseThrow())).exists();
            } else {
                assertThat(role).as(s.module() + " needs no AWS role").isEmpty();
                assertThat(sa.path("automountServiceAccountToken").asBoolean(true)).isFalse();
            }
        }
    }

    @Test
    void podsAreScrapedOnQuarkusMetrics() {
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode a = deployment(s).at("/spec/template/metadata/annotations");
            assertThat(a.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
            assertThat(a.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(ServiceModule.HTTP_PORT));
        }
    }

    @Test
    void mountedPathsInConfigPointIntoTheMounts() {
        // fedimg.tester.script-path and the bridge's TLS files must be where the volumes are
        Map<String, String> tester = Material.envFile(BASE.resolve("tester-service/config.env"));
        assertThat(mountPaths(ServiceModule.named("tester-service")))
                .anyMatch(m -> tester.get("FEDIMG_TESTER_SCRIPT_PATH").startsWith(m + "/"));
        Map<String, String> bridge = Material.envFile(BASE.resolve("bridge-fedmsg/config.env"));
        bridge.entrySet().stream().filter(e -> e.getKey().startsWith("FEDIMG_BRIDGE_AMQP_TLS_")).forEach(e ->
                assertThat(mountPaths(ServiceModule.named("bridge-fedmsg"))).as(e.getKey())
                        .anyMatch(m -> e.getValue().startsWith(m + "/")));
    }

    private static List<String> mountPaths(ServiceModule s) {
        List<String> out = new ArrayList<>();
        container(s).path("volumeMounts").forEach(m -> out.add(m.path("mountPath").asText()));
        return out;
    }

    static ObjectNode deployment(ServiceModule s) {
        return Material.resources(BASE, "Deployment").stream()
                .filter(d -> d.at("/metadata/name").asText().equals(s.module())).findFirst().orElseThrow();
    }

    static JsonNode container(ServiceModule s) {
        JsonNode containers = deployment(s).at("/spec/template/spec/containers");
        assertThat(containers.size()).as(s.module() + " containers").isEqualTo(1);
        return containers.get(0);
    }

    static Map<String, String> env(ServiceModule s) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        container(s).path("env").forEach(e -> out.put(e.path("name").asText(), e.path("value").asText()));
        return out;
    }

    private static long mebibytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2));
        }
        throw new AssertionError("memory should be in Mi or Gi: " + quantity);
    }
}
