package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.bridge.support.ComposeServer;
import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.TestPki;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The built bridge with {@code FEDIMG_LOG_JSON=true}, a broker password and a fedmsg signing key, doing the
 * work that uses them (consuming and publishing on AMQP, signing fedmsg messages): every log line is a JSON
 * object, and none holds the password or the key.
 */
class JsonLogsIT {

    @Test
    void everyLineIsJsonAndNoSecretIsLogged(@TempDir Path dir) throws Exception {
        String password = "amqpSecret" + UUID.randomUUID().toString().replace("-", "");
        TestPki.Issued signing = new TestPki("fedmsg-test-ca").issue("fedimg");
        Path keyfile = TestPki.writePem(dir.resolve("fedimg.key"), signing.keys().getPrivate());
        Path certfile = TestPki.writePem(dir.resolve("fedimg.crt"), signing.cert());
        String keyMaterial = Base64.getEncoder().encodeToString(signing.keys().getPrivate().getEncoded())
                .substring(64, 128);
        String compose = "Fedora-44-20260201.0";
        Files.createDirectories(dir.resolve("www/" + compose + "/compose/metadata"));
        Files.writeString(dir.resolve("www/" + compose + "/compose/metadata/images.json"),
                SampleComposes.ec2ComposeImagesJson(compose, "44"));
        String key = "org.fedoraproject.prod.pungi.compose.status.change";

        try (EmbeddedAmqpBroker amqp = EmbeddedAmqpBroker.start("fedimg", password);
                ComposeServer www = new ComposeServer(dir.resolve("www"));
                TopicProbe probe = new TopicProbe(KafkaBroker.shared().bootstrapServers())) {
            Map<String, String> config = new HashMap<>();
            config.put("FEDIMG_LOG_JSON", "true");
            config.put("fedimg.sources.allowed", "http://127.0.0.1:*/"); // the prod profile trusts Fedora only
            config.put("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
            config.put("fedimg.bridge.amqp.consume", "true");
            config.put("fedimg.bridge.amqp.publish", "true");
            config.put("fedimg.bridge.amqp.url", amqp.url());
            config.put("fedimg.bridge.amqp.queue", "fedimg-json-logs-" + UUID.randomUUID());
            config.put("fedimg.bridge.amqp.routing-keys", key);
            config.put("fedimg.bridge.fedmsg.publish.enabled", "true");
            config.put("fedimg.bridge.fedmsg.publish.endpoint", "tcp://127.0.0.1:" + KafkaBroker.freePort());
            config.put("fedimg.bridge.fedmsg.publish.sign", "true");
            config.put("fedimg.bridge.fedmsg.publish.certfile", certfile.toString());
            config.put("fedimg.bridge.fedmsg.publish.keyfile", keyfile.toString());
            config.put("fedimg.bridge.dedup.topic", "fedimg.bridge.seen." + UUID.randomUUID());
            config.put("mp.messaging.incoming.status-in.group.id", "bridge-json-" + UUID.randomUUID());
            config.put("mp.messaging.incoming.published-in.group.id", "bridge-json-" + UUID.randomUUID());

            try (ServiceProcess bridge = ServiceProcess.of("bridge", Path.of("."), config)) {
                bridge.start(Duration.ofSeconds(120));
                publish(amqp.url(), key,
                        SampleComposes.pungiBody(compose, "FINISHED", www.baseUrl() + "/" + compose + "/compose"));
                assertThat(Events.images(probe, compose, 2)).hasSize(2); // consumed with the password
                probe.send(OutboundTest.status("json-logs-" + UUID.randomUUID(), Stage.UPLOAD, StageState.STARTED,
                        "us-east-1", null, null), "uploader-service");
                await().atMost(Duration.ofSeconds(60)).until(() -> metrics(bridge.baseUri()).lines()
                        .anyMatch(l -> l.startsWith("fedimg_bridge_bus_publishes_total")
                                && l.contains("transport=\"fedmsg\"") && l.contains("outcome=\"delivered\"")));
                bridge.stop();

                List<String> lines = Files.readAllLines(bridge.log()).stream().filter(l -> !l.isBlank()).toList();
                assertThat(lines).hasSizeGreaterThan(5);
                for (String line : lines) {
                    assertThat(EventJson.MAPPER.readTree(line).has("message")).as("a JSON log entry: %s", line).isTrue();
                    assertThat(line).doesNotContain(password).doesNotContain(keyMaterial).doesNotContain("PRIVATE KEY");
                }
            }
        }
    }

    private static void publish(String url, String key, String body) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(url);
        try (Connection c = f.newConnection("json-logs-it"); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish("amq.topic", key, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                    .deliveryMode(2).build(), body.getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
        }
    }

    private static String metrics(URI base) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
