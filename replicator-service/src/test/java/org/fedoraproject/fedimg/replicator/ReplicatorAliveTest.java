package org.fedoraproject.fedimg.replicator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The service comes up healthy against a real broker and exports Prometheus metrics. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
// The same resources as ReplicationServiceTest, so both classes share one application start.
@QuarkusTestResource(value = AwsEmulatorTestResource.class, initArgs = @ResourceArg(name = "delays", value = "fast"))
class ReplicatorAliveTest {

    @Test
    void readyAgainstRealBroker() {
        given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Kafka connection health check"))
                .body("checks.name", hasItem("catalogue loaded from fedimg.amis.published"));
    }

    @Test
    void exportsPrometheusMetrics() {
        given().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("fedimg_replicator_regions_inflight"));
    }
}
