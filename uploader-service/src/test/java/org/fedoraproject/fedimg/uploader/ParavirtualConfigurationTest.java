package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Paravirtual AMIs requested without a kernel id for the region: a clear configuration error, nothing touched. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
@TestProfile(ParavirtualConfigurationTest.Profile.class)
class ParavirtualConfigurationTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.registration.virtualization-types", "hvm,paravirtual",
                    "fedimg.uploader.registration.paravirtual-kernel-ids.eu-west-1", "aki-dc9ed9af");
        }
    }

    @InjectAwsEmulator
    AwsEmulator aws;

    @Test
    void paravirtualWithoutKernelIdIsAConfigurationError() throws IOException {
        byte[] xz = TestImages.xzSingleBlock(TestImages.raw(1024 * 1024, 1));
        try (ImageServer server = new ImageServer(); TopicProbe probe = TopicProbe.forSharedBroker()) {
            server.serve("/pv/Fedora.raw.xz", xz);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/pv/Fedora.raw.xz"), xz, "x86_64");
            long calls = aws.inspect().callCount("StartSnapshot") + aws.inspect().callCount("RegisterImage");
            uploads.send(event);
            // the dead letter as written, checked against dead-letter.v1.json (the uploader's contract test)
            DeadLetter dl = DeadLetterContract.await(probe, Duration.ofSeconds(60),
                    Map.of("configuration", d -> event.imageKey().equals(d.imageKey()))).get("configuration");
            assertThat(dl.reasonCode()).isEqualTo("CONFIGURATION_ERROR");
            assertThat(dl.reason()).contains("paravirtual").contains("us-east-1");
            List<StageStatus> statuses = uploads.awaitStatuses(event,
                    s -> s.stream().anyMatch(x -> x.state() == StageState.FAILED), Duration.ofSeconds(30));
            assertThat(statuses).filteredOn(s -> s.state() == StageState.FAILED).singleElement()
                    .satisfies(s -> assertThat(s.reason()).contains("kernel id"));
            assertThat(server.requests()).isEmpty();
            assertThat(aws.inspect().callCount("StartSnapshot") + aws.inspect().callCount("RegisterImage")).isEqualTo(calls);
        }
    }
}
