package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.COMPOSED;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Concurrency with the sink; a hang here is a bug, so it fails instead of stalling the build. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BundleWriterTest {

    private static final int PART = 16 * 1024;
    private static final BundleSpec SPEC = new BundleSpec("w.raw", 200_000, COMPOSED.getEpochSecond(), PART, 1);

    /** Parts held by the sink are the writer's bound: it waits rather than cut another one. */
    @Test
    void writerWaitsWhileTheSinkHoldsMaxPartsInFlight() throws Exception {
        List<CompletableFuture<Void>> stages = new CopyOnWriteArrayList<>();
        PartSink holding = part -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            stages.add(f);
            return f;
        };
        ExecutorService bundling = Executors.newSingleThreadExecutor();
        try {
            Future<BundledImage> done = bundling.submit(() -> new BundleWriter(SPEC, keys(), 2)
                    .write(TestImages.mostlyZeros(SPEC.imageSize(), 1, 5), holding));

            awaitSize(stages, 2);
            Thread.sleep(300); // a writer that ignored the bound would cut a third part meanwhile
            assertThat(stages).hasSize(2);
            assertThat(done).isNotDone();

            int released = 0;
            while (!done.isDone()) {
                if (released < stages.size()) {
                    stages.get(released++).complete(null);
                } else {
                    Thread.sleep(5);
                }
                assertThat(stages.size() - released).isLessThanOrEqualTo(2);
            }
            assertThat(done.get().parts()).hasSize(stages.size()).hasSizeGreaterThan(5);
        } finally {
            bundling.shutdownNow();
        }
    }

    @Test
    void failedUploadStopsTheBundleAfterTheOthersSettle() throws Exception {
        ExecutorService uploads = Executors.newFixedThreadPool(2);
        AtomicInteger settled = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        PartSink failingThird = part -> {
            accepted.incrementAndGet();
            return CompletableFuture.runAsync(() -> {
                sleep(part.index() == 2 ? 10 : 100);
                settled.incrementAndGet();
                if (part.index() == 2) {
                    throw new IllegalStateException("S3 said no to " + part.fileName());
                }
            }, uploads);
        };
        try {
            assertThatThrownBy(() -> new BundleWriter(SPEC, keys(), 2)
                    .write(TestImages.mostlyZeros(SPEC.imageSize(), 1, 5), failingThird))
                    .isInstanceOf(PartSinkException.class).hasMessageContaining("S3 said no to w.raw.part.02")
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            // nothing still running once write() gave up, and it stopped cutting parts soon after the failure
            assertThat(settled.get()).isEqualTo(accepted.get());
            assertThat(accepted.get()).isLessThanOrEqualTo(5);
        } finally {
            uploads.shutdownNow();
        }
    }

    @Test
    void sinkThrowingIsAFailureToo() {
        assertThatThrownBy(() -> new BundleWriter(SPEC, keys(), 1).write(TestImages.mostlyZeros(SPEC.imageSize(), 1, 5),
                part -> {
                    throw new IllegalArgumentException("no bucket");
                })).isInstanceOf(PartSinkException.class).hasMessageContaining("no bucket");
    }

    @Test
    void imageOfAnotherLengthThanDeclaredIsRefused() {
        BundleWriter writer = new BundleWriter(SPEC, keys(), 1);

        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream(new byte[199_999]), new PartStore()))
                .isInstanceOf(IOException.class).hasMessageContaining("ended after 199999 of its declared 200000");
        assertThatThrownBy(() -> writer.write(new SequenceInputStream(new ByteArrayInputStream(new byte[200_000]),
                new ByteArrayInputStream(new byte[1])), new PartStore()))
                .isInstanceOf(IOException.class).hasMessageContaining("longer than its declared 200000");
    }

    @Test
    void specRefusesWhatTheFormatCannotHold() {
        assertThatThrownBy(() -> BundleSpec.of("x".repeat(101), 1, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BundleSpec.of("../escape.raw", 1, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BundleSpec.of("a b", 1, Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BundleSpec("a.raw", 1, 0, 100, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BundleSpec("a.raw", 1, 0, BundleSpec.PART_SIZE, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(BundleSpec.of("a.raw", 1, Instant.EPOCH).partName(7)).isEqualTo("a.raw.part.07");
        assertThat(BundleSpec.of("a.raw", 1, Instant.EPOCH).partName(123)).isEqualTo("a.raw.part.123");
    }

    private static BundleKeys keys() {
        return BundleKeys.random(new SecureRandom());
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (list.size() < size) {
            assertThat(System.nanoTime()).as("waited for %d parts", size).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
