package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.fedoraproject.fedimg.uploader.support.UtilityAmiResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The utility-instance method end to end: the emulator runs the user-data (curl, sha256sum, xz, dd) against
 * the blank volume's backing file; the snapshot of that volume must hold exactly the decompressed image.
 */
@QuarkusTest
@TestProfile(UtilityInstanceUploadTest.Profile.class)
class UtilityInstanceUploadTest extends UploaderQuarkusTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.uploader.method", "utility-instance");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(UtilityAmiResource.class));
        }
    }

    static final Duration WAIT = Duration.ofSeconds(120);
    static final byte[] RAW = TestImages.raw(4 * 1024 * 1024 + 99, 5);
    static final byte[] XZ = TestImages.xzMultiBlock(RAW, 1024 * 1024);

    @Test
    void utilityInstanceWritesTheImageAndEverythingTemporaryIsRemoved() {
        server.serve("/utility/Fedora.raw.xz", XZ);
        ImageReady event = Uploads.event(server.url("/utility/Fedora.raw.xz"), XZ, "x86_64");
        uploads.send(event);
        List<AmiRegistered> amis = uploads.awaitRegistered(event, 2, WAIT);
        String snapshotId = amis.get(0).ami().snapshotId();
        assertThat(aws.inspect().snapshotSha256(REGION, snapshotId))
                .isEqualTo(TestImages.paddedSha256(RAW, 1024L * 1024 * 1024));
        Views.Snapshot snapshot = aws.inspect().snapshot(REGION, snapshotId).orElseThrow();
        assertThat(snapshot.ebsDirect()).isFalse();
        assertThat(snapshot.tags()).containsEntry(AwsTags.IMAGE_KEY, event.imageKey()).containsEntry(AwsTags.PURPOSE,
                "snapshot");
        assertThat(amis).allSatisfy(a -> assertThat(a.ami().checksumVerified()).isTrue());
        assertNothingTemporaryLeft(event);
        List<Views.Instance> instances = utilityInstances(event);
        assertThat(instances).hasSize(1);
        assertThat(instances.get(0).tags()).containsEntry(AwsTags.CREATED_BY, "fedimg");
    }

    /**
     * A URL that would run commands if it were pasted into the user-data (quotes, {@code $()}, {@code ;}): the
     * script the emulator runs fetches exactly that URL and runs nothing else, and the image is written.
     */
    @Test
    void aHostileUrlIsFetchedExactlyAndRunsNothingOnTheInstance() throws Exception {
        String target = "/utility-hostile/a'$(touch%20fedimg-pwned)';touch,fedimg-pwned2;'/Fedora.raw.xz";
        server.serve(java.net.URLDecoder.decode(target, java.nio.charset.StandardCharsets.UTF_8), XZ);
        ImageReady event = Uploads.event(server.url(target), XZ, "x86_64");
        uploads.send(event);
        List<AmiRegistered> amis = uploads.awaitRegistered(event, 2, WAIT);
        assertThat(aws.inspect().snapshotSha256(REGION, amis.get(0).ami().snapshotId()))
                .isEqualTo(TestImages.paddedSha256(RAW, 1024L * 1024 * 1024));
        assertThat(server.rawTargets()).filteredOn(t -> t.startsWith("/utility-hostile/")).isNotEmpty()
                .allSatisfy(t -> assertThat(t).isEqualTo(target));
        try (var files = java.nio.file.Files.walk(aws.workDir())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("fedimg-pwned"));
        }
    }

    @Test
    void scriptFailureIsReportedWithConsoleAndCleanedUp() {
        server.serve("/utility-bad/Fedora.raw.xz", XZ);
        ImageReady good = Uploads.event(server.url("/utility-bad/Fedora.raw.xz"), XZ, "x86_64");
        ImageSpec i = good.image();
        ImageReady event = Uploads.withImage(good, new ImageSpec(i.url(), i.fileName(), i.name(), "0".repeat(64),
                i.sizeBytes(), i.arch(), i.release(), i.composeType(), i.variant(), i.subvariant(), i.respin()));
        uploads.send(event);
        DeadLetter dl = uploads.awaitDeadLetter(event, WAIT);
        assertThat(dl.reasonCode()).isEqualTo("CHECKSUM_MISMATCH");
        List<StageStatus> failed = uploads.awaitStatuses(event,
                s -> s.stream().filter(x -> x.state() == StageState.FAILED).count() == 2, WAIT);
        assertThat(failed).filteredOn(s -> s.state() == StageState.FAILED).allSatisfy(s -> {
            assertThat(s.consoleExcerpt()).contains("FAILED CHECKSUM_MISMATCH");
            assertThat(s.consoleExcerpt().length()).isLessThanOrEqualTo(4097);
        });
        assertThat(aws.inspect().snapshots(REGION))
                .noneMatch(s -> event.imageKey().equals(s.tags().get(AwsTags.IMAGE_KEY)));
        assertThat(aws.inspect().images(REGION)).noneMatch(im -> event.imageKey().equals(im.tags().get(AwsTags.IMAGE_KEY)));
        assertNothingTemporaryLeft(event);
    }

    private void assertNothingTemporaryLeft(ImageReady event) {
        assertThat(utilityInstances(event)).allSatisfy(inst -> assertThat(inst.state()).isIn("terminated", "shutting-down"));
        assertThat(aws.inspect().volumes(REGION))
                .noneMatch(v -> event.imageKey().equals(v.tags().get(AwsTags.IMAGE_KEY)) && !"deleted".equals(v.state()));
    }

    private List<Views.Instance> utilityInstances(ImageReady event) {
        return aws.inspect().instances(REGION).stream()
                .filter(inst -> event.imageKey().equals(inst.tags().get(AwsTags.IMAGE_KEY))).toList();
    }
}
