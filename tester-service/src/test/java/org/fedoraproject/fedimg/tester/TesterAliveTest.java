package org.fedoraproject.fedimg.tester;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The service comes up healthy against a real broker and exports Prometheus metrics. */
@QuarkusTest
class TesterAliveTest extends TesterQuarkusTest {

    @Test
    void readyAgainstRealBroker() {
        given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Kafka connection health check"));
    }

    @Test
    void exportsPrometheusMetrics() {
        given().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("fedimg_tester_instances_inflight"));
    }
}
