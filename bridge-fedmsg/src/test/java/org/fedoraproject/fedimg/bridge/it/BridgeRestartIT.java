package org.fedoraproject.fedimg.bridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.bridge.support.ComposeServer;
import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;
import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
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
 * The built bridge as a process, SIGKILLed twice: once while a compose message is delivered but not yet
 * acked (its metadata server hangs), and once between messages. After each restart the unacked message is
 * redelivered and handled once, and the dedup store read back from Kafka stops a replayed compose.
 */
class BridgeRestartIT {

    @Test
    void killAndRestartLosesNothingAndDuplicatesNothing(@TempDir Path www) throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        EmbeddedAmqpBroker embedded = EmbeddedAmqpBroker.reachable("127.0.0.1", 5672)
                && !"embedded".equals(System.getProperty("bridge.test.amqp")) ? null : EmbeddedAmqpBroker.start();
        String amqpUrl = embedded == null ? "amqp://guest:guest@127.0.0.1:5672/%2F" : embedded.url();
        String queue = "fedimg-bridge-it-" + UUID.randomUUID();
        String key = "org.fedoraproject.prod.pungi.compose.status.change";
        String seenTopic = "fedimg.bridge.seen." + UUID.randomUUID();
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(amqpUrl);
        try (ComposeServer server = new ComposeServer(www);
                TopicProbe probe = new TopicProbe(broker.bootstrapServers());
                Connection amqp = f.newConnection("bridge-it");
                Channel ch = amqp.createChannel()) {
            ch.confirmSelect();
            // durable and not auto-delete: messages wait in it while the bridge is down
            ch.queueDeclare(queue, true, false, false, Map.of());
            Map<String, String> config = new HashMap<>();
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            config.put("fedimg.bridge.amqp.consume", "true");
            config.put("fedimg.bridge.amqp.url", amqpUrl);
            config.put("fedimg.bridge.amqp.queue", queue);
            config.put("fedimg.sources.allowed", "http://127.0.0.1:*/"); // the prod profile trusts Fedora only
            config.put("fedimg.bridge.amqp.routing-keys", key);
            config.put("fedimg.bridge.dedup.topic", seenTopic);
            config.put("fedimg.bridge.outbound.enabled", "false");
            config.put("mp.messaging.incoming.status-in.group.id", "bridge-it-" + UUID.randomUUID());
            config.put("mp.messaging.incoming.published-in.group.id", "bridge-it-" + UUID.randomUUID());

            String a = "Fedora-44-20260101.0";
            String b = "Fedora-44-20260102.0";
            String c = "Fedora-44-20260103.0";
            for (String id : List.of(a, b, c)) {
                Files.createDirectories(www.resolve(id + "/compose/metadata"));
                Files.writeString(www.resolve(id + "/compose/metadata/images.json"),
                        SampleComposes.ec2ComposeImagesJson(id, "44"));
            }
            // c's metadata server hangs long enough to kill the bridge mid-message
            Files.writeString(www.resolve(c + "/compose/metadata/images.json.delay"), "6000");

            try (ServiceProcess bridge = ServiceProcess.of("bridge", Path.of("."), config)) {
                bridge.start(Duration.ofSeconds(120));
                publish(ch, key, a, server);
                assertThat(images(probe, a, 2)).hasSize(2);

                publish(ch, key, c, server);
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(bridge.log()).contains(
                        "compose " + c + " FINISHED"));
                bridge.kill(); // c is delivered, unacked, its events not written

                publish(ch, key, b, server); // arrives while the bridge is down
                publish(ch, key, a, server); // a replay of a compose already done, with a new message id
                Files.delete(www.resolve(c + "/compose/metadata/images.json.delay"));
                bridge.start(Duration.ofSeconds(120));
                assertThat(images(probe, b, 2)).hasSize(2);
                assertThat(images(probe, c, 2)).hasSize(2);
                await().atMost(Duration.ofSeconds(30)).until(() -> ch.queueDeclarePassive(queue).getMessageCount() == 0
                        && Files.readString(bridge.log()).contains("compose " + a + " already handled"));

                bridge.kill();
                bridge.start(Duration.ofSeconds(120));
                publish(ch, key, b, server); // and again after a second crash
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(bridge.log()).contains(
                        "compose " + b + " already handled"));
            }
            List<ImageReady> all = TopicProbe.decode(probe.readAll(Topics.IMAGES, Duration.ofSeconds(3)),
                    ImageReady.class);
            for (String id : List.of(a, b, c)) {
                List<ImageReady> mine = all.stream().filter(e -> id.equals(e.composeId())).toList();
                // c may be written twice if the kill landed after its Kafka write: then with identical ids
                assertThat(mine.stream().map(ImageReady::eventId).distinct()).as(id).hasSize(2);
            }
            assertThat(all.stream().filter(e -> a.equals(e.composeId()))).hasSize(2);
            assertThat(all.stream().filter(e -> b.equals(e.composeId()))).hasSize(2);
            ch.queueDelete(queue);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static void publish(Channel ch, String key, String composeId, ComposeServer server) throws Exception {
        String body = SampleComposes.pungiBody(composeId, "FINISHED", server.baseUrl() + "/" + composeId + "/compose");
        ch.basicPublish("amq.topic", key, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString())
                .deliveryMode(2).build(), body.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
    }

    private static List<ImageReady> images(TopicProbe probe, String composeId, int atLeast) {
        return TopicProbe.decode(probe.readUntil(Topics.IMAGES, Duration.ofSeconds(90),
                all -> TopicProbe.decode(all, ImageReady.class).stream()
                        .filter(e -> composeId.equals(e.composeId())).count() >= atLeast), ImageReady.class)
                .stream().filter(e -> composeId.equals(e.composeId())).toList();
    }
}
