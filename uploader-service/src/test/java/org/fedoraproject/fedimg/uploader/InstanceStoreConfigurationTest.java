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

/**
 * Instance-store AMIs asked for without the account, certificates and key they need: a CONFIGURATION_ERROR that
 * names the missing key, before anything is downloaded or created (no EBS AMI half-way either).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
@TestProfile(InstanceStoreConfigurationTest.Profile.class)
class InstanceStoreConfigurationTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.registration.storage-types", "ebs,instance-store");
        }
    }

    @InjectAwsEmulator
    AwsEmulator aws;

    @Test
    void instanceStoreWithoutItsSettingsIsAConfigurationError() throws IOException {
        byte[] xz = TestImages.xzSingleBlock(TestImages.raw(512 * 1024, 2));
        try (ImageServer server = new ImageServer(); TopicProbe probe = TopicProbe.forSharedBroker()) {
            server.serve("/is-config/Fedora.raw.xz", xz);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/is-config/Fedora.raw.xz"), xz, "x86_64");
            long calls = aws.inspect().callCount("StartSnapshot") + aws.inspect().callCount("RegisterImage")
                    + aws.inspect().callCount("CreateBucket");
            uploads.send(event);
            DeadLetter dl = DeadLetterContract.await(probe, Duration.ofSeconds(60),
                    Map.of("configuration", d -> event.imageKey().equals(d.imageKey()))).get("configuration");
            assertThat(dl.reasonCode()).isEqualTo("CONFIGURATION_ERROR");
            assertThat(dl.reason()).contains("fedimg.uploader.instance-store.account-id");
            List<StageStatus> statuses = uploads.awaitStatuses(event,
                    s -> s.stream().anyMatch(x -> x.state() == StageState.FAILED), Duration.ofSeconds(30));
            // refused as a whole before any variant started, as a paravirtual matrix without a kernel is
            assertThat(statuses).filteredOn(s -> s.state() == StageState.FAILED).singleElement()
                    .satisfies(s -> assertThat(s.reason()).contains("instance-store.account-id"));
            assertThat(server.requests()).isEmpty();
            assertThat(aws.inspect().callCount("StartSnapshot") + aws.inspect().callCount("RegisterImage")
                    + aws.inspect().callCount("CreateBucket")).isEqualTo(calls);
        }
    }
}
