package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Per-stream variants through the service (Kafka, the emulator): the %test profile makes release 43's nightlies gp3
 * only (application.properties); a release of the same image gets both volume types. Shares the application of the
 * other {@link UploaderQuarkusTest}s.
 */
@QuarkusTest
class StreamVariantsTest extends UploaderQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final byte[] RAW = TestImages.raw(1024 * 1024 + 17, 43);
    static final byte[] XZ = TestImages.xzSingleBlock(RAW);

    static ImageReady of(String path, String composeType) {
        ImageReady e = Uploads.event(server.url(path), XZ, "x86_64");
        ImageSpec i = e.image();
        return Uploads.withImage(e, new ImageSpec(i.url(), i.fileName(), i.name(), i.sha256(), i.sizeBytes(), i.arch(), "43",
                composeType, i.variant(), i.subvariant(), i.respin()));
    }

    @Test
    void theStreamsNightlyIsRegisteredOnGp3OnlyAndAReleaseOnBoth() {
        server.serve("/streams/nightly.raw.xz", XZ);
        ImageReady nightly = of("/streams/nightly.raw.xz", "nightly");
        uploads.send(nightly);
        List<StageStatus> done = uploads.awaitStatuses(nightly,
                s -> s.stream().anyMatch(x -> x.state() == StageState.COMPLETED), WAIT);
        List<AmiRegistered> amis = uploads.registered(nightly);
        assertThat(amis).extracting(a -> a.ami().variant().slug()).containsExactly("hvm-gp3");
        assertThat(done).filteredOn(s -> s.state() == StageState.STARTED).hasSize(1);
        assertThat(aws.inspect().images(REGION)).filteredOn(i -> i.name().startsWith(nightly.image().name()))
                .extracting(i -> i.blockDeviceMappings().get(0).volumeType()).containsExactly("gp3");

        server.serve("/streams/release.raw.xz", XZ);
        ImageReady release = of("/streams/release.raw.xz", "production");
        uploads.send(release);
        assertThat(uploads.awaitRegistered(release, 2, WAIT)).extracting(a -> a.ami().variant().slug())
                .containsExactlyInAnyOrder("hvm-gp3", "hvm-standard");
    }
}
