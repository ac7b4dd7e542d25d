package org.fedoraproject.fedimg.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.fedoraproject.fedimg.replicator.support.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The built service as a child process: SIGKILL in the middle of a replication, restart, and the
 * restart does only the regions that were not finished; then a fresh start answers the catalogue
 * from the compacted topic alone.
 */
class ReplicatorCrashIT {

    static final Duration WAIT = Duration.ofSeconds(120);
    static KafkaBroker broker;
    static AwsEmulator emulator;
    static AwsClients aws;
    static TopicProbe probe;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.shared();
        // Copies take 6 s; with 8 regions at a time the 34 regions take several rounds, so a kill lands mid-way.
        emulator = AwsEmulator.builder().port(0).delays(Delays.builder()
                .volumeCreation(Duration.ofMillis(200)).snapshotCompletion(Duration.ofMillis(500))
                .imageAvailable(Duration.ofMillis(500)).copyAvailable(Duration.ofSeconds(6)).build()).build().start();
        aws = new AwsClients(AwsConfig.of(SourceAmis.BASE, emulator.endpoint()),
                new AwsCallMetrics(new SimpleMeterRegistry()));
        probe = new TopicProbe(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (probe != null) {
            probe.close();
        }
        if (aws != null) {
            aws.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    static Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("fedimg.aws.endpoint-override", emulator.endpoint().toString());
        c.put("fedimg.aws.static-credentials.access-key-id", "test");
        c.put("fedimg.aws.static-credentials.secret-access-key", "test");
        c.put("fedimg.aws.base-region", SourceAmis.BASE);
        c.put("fedimg.replicator.copy.parallelism", "8");
        c.put("fedimg.replicator.copy.wait.delay", "PT0.3S");
        c.put("fedimg.replicator.copy.region-deadline", "PT2M");
        c.put("fedimg.replicator.published-topic.partitions", "4");
        // A restarted instance takes its partitions back at once instead of waiting for the dead one's session to expire.
        c.put("mp.messaging.incoming.tested.group.instance.id", "replicator-it");
        c.put("mp.messaging.incoming.tested.session.timeout.ms", "10000");
        return c;
    }

    @Test
    void aKillMidReplicationResumesWithOnlyTheMissingRegionsAndTheCatalogueSurvivesRestarts() throws Exception {
        AmiTested tested = new SourceAmis(aws.ec2(SourceAmis.BASE))
                .registerPassed("Fedora-Cloud-41-20261125.0.crash", "production", Samples.GP3);
        List<String> regions = emulator.regions();
        Topics topics = new Topics(probe);
        Path module = Path.of(System.getProperty("user.dir"));

        try (ServiceProcess first = ServiceProcess.of("replicator-a", module, config())) {
            first.start();
            probe.send(tested, "tester");
            List<AmiPublished> partial = topics.amis(tested.imageKey(), l -> l.size() >= 10, WAIT);
            first.kill();
            assertThat(partial.size()).as("killed before the end").isLessThan(regions.size());
        }
        // What was durable at the kill: these regions must not be touched again.
        List<TopicProbe.Received> atKill = probe.readAll(org.fedoraproject.fedimg.events.Topics.AMIS_PUBLISHED, Duration.ofSeconds(2));
        assertThat(Topics.images(atKill, tested.imageKey())).as("no aggregate before the kill").isEmpty();
        Set<String> doneBefore = Topics.amis(atKill, tested.imageKey()).stream()
                .filter(a -> a.outcome() != RegionOutcome.FAILED).map(AmiPublished::region)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, Long> publishCallsBefore = new HashMap<>();
        Map<String, Long> copyCallsBefore = new HashMap<>();
        for (String r : regions) {
            publishCallsBefore.put(r, emulator.inspect().callCount("ModifyImageAttribute", r));
            copyCallsBefore.put(r, emulator.inspect().callCount("CopyImage", r));
        }

        try (ServiceProcess second = ServiceProcess.of("replicator-b", module, config())) {
            second.start();
            ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);
            assertThat(image.outcome()).isEqualTo(ImageOutcome.COMPLETE);
            assertThat(image.regions()).hasSize(regions.size());
            second.kill();
        }

        for (String r : doneBefore) {
            assertThat(emulator.inspect().callCount("ModifyImageAttribute", r)).as("publish calls in finished region %s", r)
                    .isEqualTo(publishCallsBefore.get(r));
            assertThat(emulator.inspect().callCount("CopyImage", r)).as("copy calls in finished region %s", r)
                    .isEqualTo(copyCallsBefore.get(r));
        }
        for (String r : regions) {
            List<Views.Image> named = emulator.inspect().images(r).stream()
                    .filter(i -> i.name().equals(tested.ami().amiName())).toList();
            assertThat(named).as("AMIs named %s in %s", tested.ami().amiName(), r).hasSize(1);
            assertThat(named.get(0).isPublic()).isTrue();
            if (!r.equals(SourceAmis.BASE)) {
                // A copy in flight at the kill was found by name after the restart, not copied again.
                assertThat(emulator.inspect().callCount("CopyImage", r)).as("CopyImage calls into %s", r).isEqualTo(1);
            }
        }

        // A fresh instance knows everything from the compacted topic alone, as soon as it is ready.
        try (ServiceProcess third = ServiceProcess.of("replicator-c", module, config())) {
            third.start();
            HttpClient http = HttpClient.newHttpClient();
            String key = URLEncoder.encode(tested.imageKey(), StandardCharsets.UTF_8);
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(third.baseUri().resolve("/images/" + key)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode body = EventJson.MAPPER.readTree(res.body());
            assertThat(body.get("outcome").asText()).isEqualTo("COMPLETE");
            assertThat(body.get("amis")).hasSize(regions.size());
            HttpResponse<String> amis = http.send(HttpRequest.newBuilder(third.baseUri().resolve(
                    URI.create("/amis?region=eu-west-1&compose=" + tested.composeId()))).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode list = EventJson.MAPPER.readTree(amis.body());
            assertThat(list).hasSize(1);
            String expected = emulator.inspect().images("eu-west-1").stream()
                    .filter(i -> i.name().equals(tested.ami().amiName())).findFirst().orElseThrow().imageId();
            assertThat(list.get(0).get("amiId").asText()).isEqualTo(expected);
            third.stop();
        }
    }
}
