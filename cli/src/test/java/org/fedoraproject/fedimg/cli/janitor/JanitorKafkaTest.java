package org.fedoraproject.fedimg.cli.janitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fedoraproject.fedimg.cli.janitor.Ec2Fixture.fedimg;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code --bootstrap-servers}, the janitor reads the pipeline's topics on a real broker: recent
 * activity and unfinished steps keep an image's resources, and test verdicts and published records
 * decide for AMIs whose tags say nothing. The broker has Kafka's default group delay and 12 partitions per
 * topic, as a production cluster might: the janitor must read every partition, with no group to wait for.
 */
class JanitorKafkaTest {

    static final String A = "us-east-1";
    static AwsEmulator emulator;
    static KafkaBroker kafka;

    @BeforeAll
    static void start() {
        emulator = AwsEmulator.builder().port(0).regions(List.of(A)).delays(Delays.zero()).build().start();
        kafka = KafkaBroker.shared(KafkaBroker.Settings.kafkaDefaults(12));
    }

    @AfterAll
    static void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void kafkaKeepsImagesInFlightAndDecidesUntaggedVerdicts() throws InterruptedException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String active = "compose-" + run + "/active.raw.xz";
        String stuck = "compose-" + run + "/stuck.raw.xz";
        String dead = "compose-" + run + "/dead.raw.xz";
        String verdicts = "compose-" + run + "/verdicts.raw.xz";

        String activeVolume;
        String stuckVolume;
        String deadVolume;
        String passedAmi;
        String failedAmi;
        String publishedAmi;
        try (Ec2Fixture aws = new Ec2Fixture(emulator.endpoint())) {
            activeVolume = aws.volume(A, fedimg(active, "utility-volume"));
            stuckVolume = aws.volume(A, fedimg(stuck, "utility-volume"));
            deadVolume = aws.volume(A, fedimg(dead, "utility-volume"));
            passedAmi = aws.ami(A, "passed-" + run, aws.snapshot(A, Map.of()), fedimg(verdicts, "image"));
            failedAmi = aws.ami(A, "failed-" + run, aws.snapshot(A, Map.of()), fedimg(verdicts, "image"));
            publishedAmi = aws.ami(A, "published-" + run, aws.snapshot(A, Map.of()), fedimg(verdicts, "image"));
        }
        Thread.sleep(1500);
        Instant now = Instant.now();

        try (TopicProbe probe = new TopicProbe(kafka.bootstrapServers())) {
            probe.send(status(active, Stage.TEST, StageState.COMPLETED, now.minusMillis(500)), "tester");
            probe.send(status(stuck, Stage.UPLOAD, StageState.STARTED, now.minusSeconds(30)), "uploader");
            probe.send(status(dead, Stage.UPLOAD, StageState.STARTED, now.minus(Duration.ofHours(2))), "uploader");
            probe.send(tested(verdicts, passedAmi, TestVerdict.PASSED, now.minus(Duration.ofHours(1))), "tester");
            probe.send(tested(verdicts, failedAmi, TestVerdict.FAILED, now.minus(Duration.ofHours(1))), "tester");
            probe.send(published(verdicts, publishedAmi, now.minus(Duration.ofHours(1))), "replicator");
            probe.sendRaw(Topics.STATUS, "garbage", "not an event".getBytes(StandardCharsets.UTF_8));
        }

        JanitorRunner.Run withKafka = JanitorRunner.run("--endpoint", emulator.endpoint().toString(), "--region", A,
                "--grace", "PT1S", "--stuck-after", "PT1M", "--now", now.toString(), "--json",
                "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(withKafka.exit()).as(withKafka.out() + withKafka.err()).isZero();
        assertThat(withKafka.json().get("kafkaConsulted").asBoolean()).isTrue();
        assertThat(withKafka.ids("delete")).contains(deadVolume, failedAmi)
                .doesNotContain(activeVolume, stuckVolume, passedAmi, publishedAmi);
        assertThat(withKafka.keptReason(activeVolume)).contains("in flight: last pipeline event");
        assertThat(withKafka.keptReason(stuckVolume)).contains("UPLOAD in us-east-1 STARTED").contains("never completed");
        assertThat(withKafka.keptReason(passedAmi)).contains("passed its test");
        assertThat(withKafka.keptReason(publishedAmi)).contains("recorded as published");
        assertThat(reason(withKafka, failedAmi)).isEqualTo("test failed (fedimg.amis.tested); never published");

        // Without Kafka, age alone decides: all of them are old enough.
        JanitorRunner.Run ageOnly = JanitorRunner.run("--endpoint", emulator.endpoint().toString(), "--region", A,
                "--grace", "PT1S", "--now", now.toString(), "--json");
        assertThat(ageOnly.ids("delete")).containsAll(Set.of(activeVolume, stuckVolume, deadVolume, passedAmi, failedAmi,
                publishedAmi));
    }

    @Test
    void anUnreachableBrokerStopsTheRunBeforeAnythingIsDeleted() {
        JanitorRunner.Run run = JanitorRunner.run("--endpoint", emulator.endpoint().toString(), "--region", A,
                "--grace", "PT0S", "--json", "--delete", "--bootstrap-servers", "127.0.0.1:" + KafkaBroker.freePort(),
                "--kafka-timeout", "PT3S");
        assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(Report.INCOMPLETE);
        assertThat(run.json().get("errors").has("kafka")).isTrue();
        assertThat(run.json().toString()).doesNotContain("\"result\"");
    }

    static String reason(JanitorRunner.Run run, String id) {
        for (var f : run.json().get("findings")) {
            if (f.get("id").asText().equals(id)) {
                return f.get("reason").asText();
            }
        }
        throw new AssertionError(id + " not found");
    }

    static StageStatus status(String key, Stage stage, StageState state, Instant time) {
        return new StageStatus(UUID.randomUUID().toString(), key, "compose", "trace", time, stage, state, "test", null, A,
                null, null, new AmiVariant("hvm", "gp3", false), null, null, null);
    }

    static AmiTested tested(String key, String amiId, TestVerdict verdict, Instant time) {
        return new AmiTested(UUID.randomUUID().toString(), key, "compose", "trace", time, null, ref(amiId), verdict,
                verdict == TestVerdict.PASSED ? 0 : 3, 1000L, "", "", null, amiId);
    }

    static AmiPublished published(String key, String amiId, Instant time) {
        return new AmiPublished(UUID.randomUUID().toString(), key, "compose", "trace", time, null, ref("ami-source"), A,
                amiId, null, true, List.of(), RegionOutcome.PUBLISHED, null, null);
    }

    static AmiRef ref(String amiId) {
        return new AmiRef(A, amiId, "name", null, "x86_64", new AmiVariant("hvm", "gp3", false), null, List.of(), true);
    }
}
