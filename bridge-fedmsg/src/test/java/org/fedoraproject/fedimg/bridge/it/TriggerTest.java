package org.fedoraproject.fedimg.bridge.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fedoraproject.fedimg.bridge.cli.TriggerCliAccess;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.support.BridgeTestResource;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.Www;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/** The manual trigger: REST endpoint, CLI against it, force/respin, and dedup that survives a restart. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(BridgeTestResource.class)
class TriggerTest {

    static final String AUTH = "Bearer " + BridgeTestResource.TOKEN;

    @TestHTTPResource("/")
    URL base;

    @Inject
    BridgeConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    static void serveCompose(String composeId, String release) {
        Www.put("compose/" + composeId + "/compose/metadata/images.json",
                SampleComposes.ec2ComposeImagesJson(composeId, release));
    }

    @Test
    void composeByIdForceAndRespin() {
        String composeId = "Fedora-43-20251028.0";
        serveCompose(composeId, "43");
        given().contentType(ContentType.JSON).body(Map.of("composeId", composeId))
                .post("/api/v1/trigger/compose").then().statusCode(401);
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(Map.of("composeId", composeId))
                .post("/api/v1/trigger/compose").then().statusCode(202)
                .body("outcome", equalTo("EMITTED")).body("images", hasSize(2));
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            List<ImageReady> first = Events.images(probe, composeId, 2);
            assertThat(first).allSatisfy(e -> {
                assertThat(e.force()).isFalse();
                assertThat(e.image().respin()).isZero();
                assertThat(e.sourceMessageId()).startsWith("trigger:");
                assertThat(e.image().url()).startsWith(Www.baseUrl() + "/compose/" + composeId + "/compose/Cloud/");
                assertThat(e.image().release()).isEqualTo("43");
            });
            given().contentType(ContentType.JSON).header("Authorization", AUTH).body(Map.of("composeId", composeId))
                    .post("/api/v1/trigger/compose").then().statusCode(409).body("outcome", equalTo("DUPLICATE"));
            given().contentType(ContentType.JSON).header("Authorization", AUTH)
                    .body(Map.of("composeId", composeId, "respin", 1))
                    .post("/api/v1/trigger/compose").then().statusCode(400).body("reason", equalTo("MALFORMED_MESSAGE"));
            given().contentType(ContentType.JSON).header("Authorization", AUTH)
                    .body(Map.of("composeId", composeId, "force", true, "respin", 1))
                    .post("/api/v1/trigger/compose").then().statusCode(202).body("images[0].force", equalTo(true))
                    .body("images[0].respin", equalTo(1));
            List<ImageReady> all = Events.images(probe, composeId, 4);
            List<ImageReady> forced = all.stream().filter(ImageReady::force).toList();
            assertThat(forced).hasSize(2).allSatisfy(e -> assertThat(e.image().respin()).isEqualTo(1));
            assertThat(forced).extracting(ImageReady::eventId)
                    .doesNotContainAnyElementsOf(first.stream().map(ImageReady::eventId).toList());
        }
    }

    @Test
    void composeByLocationAndUnknownCompose() {
        String composeId = "Fedora-43-20251029.0";
        String location = "https://kojipkgs.fedoraproject.org/compose/43/" + composeId + "/compose";
        Www.put(Www.imagesJsonPath(location), SampleComposes.ec2ComposeImagesJson(composeId, "43"));
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(Map.of("location", location))
                .post("/api/v1/trigger/compose").then().statusCode(202)
                .body("images.imageKey", org.hamcrest.Matchers.hasItem(composeId
                        + "/Fedora-Cloud-Base-AmazonEC2-43-1.4.x86_64.raw.xz"));
        given().contentType(ContentType.JSON).header("Authorization", AUTH)
                .body(Map.of("composeId", "Fedora-43-20990101.0"))
                .post("/api/v1/trigger/compose").then().statusCode(404).body("reason", equalTo("UNKNOWN_COMPOSE"));
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(Map.of())
                .post("/api/v1/trigger/compose").then().statusCode(400);
    }

    @Test
    void singleImageWithAndWithoutSize() {
        String url = "https://kojipkgs.fedoraproject.org/compose/43/Fedora-43-20251030.0/compose/Cloud/x86_64/"
                + "images/Fedora-Cloud-Base-AmazonEC2-43-1.1.x86_64.raw.xz";
        Map<String, Object> req = Map.of("url", url, "sha256", SampleComposes.sha('a'), "sizeBytes", 123456);
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(req)
                .post("/api/v1/trigger/image").then().statusCode(202)
                .body("images[0].imageKey", equalTo("Fedora-43-20251030.0/Fedora-Cloud-Base-AmazonEC2-43-1.1.x86_64.raw.xz"));
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(req)
                .post("/api/v1/trigger/image").then().statusCode(409);
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            ImageReady e = Events.images(probe, "Fedora-43-20251030.0", 1).get(0);
            assertThat(e.image().arch()).isEqualTo("x86_64");
            assertThat(e.image().release()).isEqualTo("43");
            assertThat(e.image().sizeBytes()).isEqualTo(123456);
            assertThat(e.image().composeType()).isEqualTo("production");
            assertThat(e.image().subvariant()).isEqualTo("Cloud_Base");
        }
        given().contentType(ContentType.JSON).header("Authorization", AUTH)
                .body(Map.of("url", url, "sha256", "abc")).post("/api/v1/trigger/image").then().statusCode(400);

        // no size given: the bridge asks the server (HEAD)
        String path = "images/Fedora-43-20251031.0/Fedora-Cloud-Base-AmazonEC2-43-1.1.aarch64.raw.xz";
        Www.put(path, "0123456789");
        given().contentType(ContentType.JSON).header("Authorization", AUTH)
                .body(Map.of("url", Www.baseUrl() + "/" + path, "sha256", SampleComposes.sha('b')))
                .post("/api/v1/trigger/image").then().statusCode(202)
                .body("images[0].sizeBytes", equalTo(10)).body("images[0].arch", equalTo("aarch64"));
    }

    @Test
    void cliSubmitsThroughTheEndpoint() {
        String composeId = "Fedora-43-20251101.0";
        serveCompose(composeId, "43");
        String bridge = base.toString();
        assertThat(cli("--bridge", bridge, "--token", BridgeTestResource.TOKEN, "compose", composeId)).isZero();
        assertThat(cli("--bridge", bridge, "--token", BridgeTestResource.TOKEN, "compose", composeId)).isEqualTo(1);
        assertThat(cli("--bridge", bridge, "--token", BridgeTestResource.TOKEN, "compose", composeId, "--force",
                "--respin", "2")).isZero();
        assertThat(cli("--bridge", bridge, "compose", composeId)).isEqualTo(3); // no token: 401
        assertThat(cli("--bridge", bridge, "image", "https://example.org/x.raw.xz")).isEqualTo(2); // no --sha256
        assertThat(cli("--bridge", bridge, "--bogus", "compose", composeId)).isEqualTo(2);
        assertThat(cli("--bridge", "http://127.0.0.1:1", "compose", composeId)).isEqualTo(4);
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            assertThat(Events.images(probe, composeId, 4).stream().filter(ImageReady::force))
                    .hasSize(2).allSatisfy(e -> assertThat(e.image().respin()).isEqualTo(2));
        }
    }

    @Test
    void dedupSurvivesARestart() {
        String composeId = "Fedora-43-20251102.0";
        serveCompose(composeId, "43");
        given().contentType(ContentType.JSON).header("Authorization", AUTH).body(Map.of("composeId", composeId))
                .post("/api/v1/trigger/compose").then().statusCode(202);
        // a fresh store, as a restarted bridge would build it, reads the compacted topic back
        SeenStore restarted = new SeenStore(config, bootstrap);
        try {
            restarted.start();
            assertThat(restarted.seen("compose:" + composeId)).isTrue();
            assertThat(restarted.seen("image:" + composeId + "/Fedora-Cloud-Base-AmazonEC2-43-1.4.x86_64.raw.xz")).isTrue();
            assertThat(restarted.seen("compose:Fedora-43-20990101.0")).isFalse();
        } finally {
            restarted.stop();
        }
    }

    static int cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = TriggerCliAccess.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        System.out.println("[cli] " + String.join(" ", args) + " -> " + rc + "\n" + out.toString(StandardCharsets.UTF_8)
                + err.toString(StandardCharsets.UTF_8));
        return rc;
    }
}
