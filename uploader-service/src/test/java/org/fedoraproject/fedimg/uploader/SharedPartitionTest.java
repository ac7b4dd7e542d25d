package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Two images whose keys share a partition of {@code fedimg.images} upload side by side (issue 20): handled one record
 * at a time, the second image's upload waited for the whole of the first's, and a compose's critical path grew by a
 * whole upload whenever its x86_64 and aarch64 keys happened to hash to the same partition. Shown by the snapshots'
 * start times: with 3 s from CompleteSnapshot to completed, the second snapshot starts less than 3 s after the first.
 */
@QuarkusTest
class SharedPartitionTest extends UploaderQuarkusTest {

    @Test
    void imagesOfOnePartitionUploadSideBySide() {
        Duration completion = Duration.ofSeconds(3);
        byte[] first = TestImages.xzSingleBlock(TestImages.raw(1024 * 1024, 31));
        byte[] second = TestImages.xzSingleBlock(TestImages.raw(1024 * 1024, 32));
        server.serve("/shared/first.raw.xz", first);
        server.serve("/shared/second.raw.xz", second);
        ImageReady a = Uploads.event(server.url("/shared/first.raw.xz"), first, "x86_64");
        int partition = probe.partitionOf(Topics.IMAGES, a.imageKey());
        ImageReady b = null;
        for (int i = 0; i < 1000 && b == null; i++) {
            ImageReady candidate = Uploads.event(server.url("/shared/second.raw.xz"), second, "aarch64");
            b = probe.partitionOf(Topics.IMAGES, candidate.imageKey()) == partition ? candidate : null;
        }
        assertThat(b).as("an image key on partition %d", partition).isNotNull();
        Delays before = aws.delays();
        aws.delays(before.toBuilder().snapshotCompletion(completion).build());
        try {
            uploads.send(a);
            uploads.send(b);
            AmiRegistered ra = uploads.awaitRegistered(a, 2, Duration.ofMinutes(2)).get(0);
            AmiRegistered rb = uploads.awaitRegistered(b, 2, Duration.ofMinutes(2)).get(0);
            Instant startA = aws.inspect().snapshot(REGION, ra.ami().snapshotId()).orElseThrow().startTime();
            Instant startB = aws.inspect().snapshot(REGION, rb.ami().snapshotId()).orElseThrow().startTime();
            assertThat(Duration.between(startA, startB).abs()).isLessThan(completion);
        } finally {
            aws.delays(before);
        }
    }
}
