package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The single-host compose file: the four services built from the shared Containerfile, Kafka, monitoring. */
class ComposeTest {

    static final JsonNode COMPOSE = Material.yaml(Paths.DEPLOY.resolve("compose/compose.yaml"));

    @Test
    void eachServiceIsBuiltFromItsModuleWithTheDeploymentImageName() {
        for (ServiceModule s : ServiceModule.ALL) {
            JsonNode svc = COMPOSE.at("/services/" + s.module());
            assertThat(svc.path("image").asText()).startsWith(s.image() + ":");
            assertThat(svc.at("/build/dockerfile").asText()).isEqualTo("deploy/containers/Containerfile");
            assertThat(svc.at("/build/args/SERVICE").asText()).isEqualTo(s.module());
            Path context = Paths.DEPLOY.resolve("compose").resolve(svc.at("/build/context").asText()).normalize();
            assertThat(context).isEqualTo(Paths.ROOT);
            assertThat(context.resolve(s.module()).resolve("pom.xml")).exists();
            assertThat(svc.at("/environment/KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
            assertThat(svc.path("ports").toString()).contains(":" + ServiceModule.HTTP_PORT);
            assertThat(svc.at("/healthcheck/test").toString()).contains("/q/health/ready");
            assertThat(svc.at("/depends_on/kafka-init/condition").asText()).isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void kafkaIsKraftAndMonitoringIsWired() {
        JsonNode kafka = COMPOSE.at("/services/kafka");
        assertThat(kafka.path("image").asText()).startsWith("docker.io/apache/kafka:");
        assertThat(kafka.at("/environment/KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(kafka.at("/environment/KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
        assertThat(COMPOSE.at("/services/prometheus/volumes").toString())
                .contains("../prometheus/prometheus.yml:/etc/prometheus/prometheus.yml", "../prometheus/rules:/etc/prometheus/rules");
        assertThat(COMPOSE.at("/services/grafana").isMissingNode()).isFalse();
    }

    @Test
    void theContainerfileBuildsAnyServiceFromItsFastJar() throws Exception {
        String containerfile = java.nio.file.Files.readString(Paths.DEPLOY.resolve("containers/Containerfile"));
        assertThat(containerfile).contains("ARG SERVICE", "${SERVICE}/target/quarkus-app/lib/",
                "${SERVICE}/target/quarkus-app/quarkus/", "${SERVICE}/target/quarkus-app/app/",
                "quarkus-run.jar", "EXPOSE " + ServiceModule.HTTP_PORT);
    }
}
