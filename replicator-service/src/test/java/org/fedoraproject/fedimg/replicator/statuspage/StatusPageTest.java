package org.fedoraproject.fedimg.replicator.statuspage;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The status page against the real broker: what the pipeline reports shows up in its API and, in a real
 * headless Chromium, on the rendered page.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = AwsEmulatorTestResource.class, initArgs = @ResourceArg(name = "delays", value = "fast"))
class StatusPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TestHTTPResource("/")
    URL page;

    @Test
    void showsImagesInFlightAndDeadLettersInABrowser() throws Exception {
        String key = "Fedora-Cloud-43-" + UUID.randomUUID().toString().substring(0, 8) + "/status-page.raw.xz";
        String composeId = key.substring(0, key.indexOf('/'));
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            var status = PipelineViewTest.status(key, Stage.UPLOAD, StageState.PROGRESS, 1);
            probe.send(new org.fedoraproject.fedimg.events.StageStatus(status.eventId() + key, key, composeId, "t",
                    Instant.now(), status.stage(), status.state(), "uploader", status.image(), status.region(), null, null,
                    status.variant(), null, status.progress(), null), "uploader");
            probe.send(new DeadLetter(UUID.randomUUID().toString(), null, null, "t", Instant.now(), "bridge",
                    "amqp:fedimg", "MALFORMED_MESSAGE", "body is not JSON (status page test)", "<html>", null), "bridge");
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/status/api/view").then()
                .statusCode(200)
                .body("inFlight.imageKey", hasItem(key))
                .body("deadLetters.reason", hasItem("body is not JSON (status page test)")));

        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "Debian's chromium is not installed (apt-get install chromium): the browser half is skipped");
        Path out = Files.createDirectories(Path.of("target/status-page"));
        String dom = chromium(List.of("--dump-dom", page.toString()), out);
        // what the page's script rendered into the tables, not just the static HTML
        assertThat(dom).contains("<td>" + composeId + "</td><td>UPLOAD</td>")
                .contains("<td class=\"FAILED\">MALFORMED_MESSAGE</td>");
        chromium(List.of("--screenshot=" + out.resolve("status-page.png").toAbsolutePath(), "--window-size=1280,900",
                page.toString()), out);
        assertThat(Files.size(out.resolve("status-page.png"))).isGreaterThan(10_000);
    }

    private static String chromium(List<String> args, Path work) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(work.toAbsolutePath(), "profile"),
                "--virtual-time-budget=8000"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(work.resolve("chromium.log").toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("chromium exit; see %s", work.resolve("chromium.log")).isZero();
        return stdout;
    }
}
