package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

/**
 * The built service as a process: SIGKILL it while an image is half uploaded, start it again, and the
 * redelivered event finishes the same snapshot (same StartSnapshot token) and registers each AMI once.
 */
class UploaderRestartIT {

    private static final String REGION = "us-east-1";

    @Test
    void killDuringUploadThenRestartResumesWithoutDuplicatesOrLeaks() throws Exception {
        byte[] raw = poorlyCompressible(24 * 1024 * 1024);
        byte[] xz = TestImages.xzMultiBlock(raw, 4 * 1024 * 1024);
        KafkaBroker broker = KafkaBroker.shared();
        try (AwsEmulator aws = AwsEmulator.builder().port(0).regions(List.of(REGION)).delays(Delays.zero()).build().start();
                ImageServer server = new ImageServer();
                TopicProbe probe = new TopicProbe(broker.bootstrapServers());
                ServiceProcess service = ServiceProcess.of("uploader", Path.of("."), config(aws, broker))) {
            // slow enough that the kill lands mid-upload
            server.serve("/restart/Fedora.raw.xz", xz).slow("/restart/Fedora.raw.xz", xz.length / 12);
            Uploads uploads = new Uploads(probe);
            ImageReady event = Uploads.event(server.url("/restart/Fedora.raw.xz"), xz, "x86_64");

            service.start();
            uploads.send(event);
            Views.Snapshot pending = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> snapshotsOf(aws, event).stream()
                            .filter(s -> "pending".equals(s.state()) && s.storedBlocks() >= 2).findFirst().orElse(null),
                            s -> s != null);
            service.kill();
            assertThat(snapshotsOf(aws, event)).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("pending"));
            assertThat(aws.inspect().callCount("RegisterImage")).isZero();

            service.start();
            List<AmiRegistered> amis = uploads.awaitRegistered(event, 2, Duration.ofMinutes(3));
            assertThat(amis).extracting(a -> a.ami().snapshotId()).containsOnly(pending.snapshotId());
            assertThat(snapshotsOf(aws, event)).singleElement()
                    .satisfies(s -> assertThat(s.state()).isEqualTo("completed"));
            assertThat(aws.inspect().snapshotSha256(REGION, pending.snapshotId()))
                    .isEqualTo(TestImages.paddedSha256(raw, 1024L * 1024 * 1024));
            assertThat(aws.inspect().images(REGION)).filteredOn(i -> event.imageKey().equals(i.tags().get(AwsTags.IMAGE_KEY)))
                    .hasSize(2);
            assertThat(aws.inspect().callCount("RegisterImage")).isEqualTo(2);
            assertThat(aws.inspect().callCount("StartSnapshot")).isEqualTo(2);
            assertThat(aws.inspect().liveResources().instances()).isZero();
            assertThat(aws.inspect().liveResources().volumes()).isZero();
            assertThat(uploads.deadLetters(event)).isEmpty();
        }
    }

    private static List<Views.Snapshot> snapshotsOf(AwsEmulator aws, ImageReady event) {
        return aws.inspect().snapshots(REGION).stream()
                .filter(s -> event.imageKey().equals(s.tags().get(AwsTags.IMAGE_KEY))).toList();
    }

    private static Map<String, String> config(AwsEmulator aws, KafkaBroker broker) {
        return Map.ofEntries(
                Map.entry("kafka.bootstrap.servers", broker.bootstrapServers()),
                Map.entry("fedimg.aws.endpoint-override", aws.endpoint().toString()),
                Map.entry("fedimg.aws.static-credentials.access-key-id", "test"),
                Map.entry("fedimg.aws.static-credentials.secret-access-key", "test"),
                Map.entry("fedimg.aws.base-region", REGION),
                Map.entry("fedimg.sources.allowed", "http://127.0.0.1:*/"), // the prod profile trusts Fedora only
                Map.entry("fedimg.uploader.ebs.volume-size-gib", "1"),
                Map.entry("fedimg.uploader.ebs.block-concurrency", "4"),
                Map.entry("fedimg.uploader.waits.snapshot-completed.delay", "PT0.2S"),
                Map.entry("fedimg.uploader.waits.image-available.delay", "PT0.2S"),
                Map.entry("fedimg.uploader.progress-interval", "PT1S"),
                // a killed member must leave the group quickly so the restarted one gets the partition
                Map.entry("mp.messaging.incoming.images.session.timeout.ms", "6000"),
                Map.entry("mp.messaging.incoming.images.heartbeat.interval.ms", "1000"));
    }

    /** Half random, half text: compresses to roughly half, so the download is what takes time. */
    private static byte[] poorlyCompressible(int size) {
        byte[] raw = TestImages.raw(size, 99);
        Random r = new Random(5);
        for (int off = 0; off < size; off += 4 * TestImages.BLOCK) {
            byte[] noise = new byte[Math.min(TestImages.BLOCK, size - off)];
            r.nextBytes(noise);
            System.arraycopy(noise, 0, raw, off, noise.length);
        }
        return raw;
    }
}
