package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;

/**
 * A 3 GiB sparse snapshot written through EBS direct (the real SDK) keeps its bytes (round-trip checksum),
 * and the emulator holding it never needs the 3 GiB in memory: it runs as the standalone jar's main class in
 * a child JVM capped at {@value #EMULATOR_HEAP}, and its peak heap (reported by {@code /_emulator/health})
 * must stay far below the snapshot's size. Runs in its own surefire execution (skip: -DskipSparseTest).
 */
class SparseRoundTripTest {

    static final int GIB = 3;
    static final int BLOCKS = GIB * 2048;
    static final int IN_FLIGHT = 8;
    static final String EMULATOR_HEAP = "-Xmx128m";

    /** Every 8th block carries data (384 MiB uploaded), a few are explicit zeros, the rest is never written. */
    static boolean written(int i) {
        return i % 8 == 0 || i % 1000 == 1;
    }

    static byte[] content(int i) {
        return i % 1000 == 1 ? new byte[Sdk.BLOCK] : Sdk.block(i);
    }

    static EmulatorProcess aws;
    static Sdk sdk;

    @BeforeAll
    static void start() throws Exception {
        aws = EmulatorProcess.start(EMULATOR_HEAP, "--regions", "us-east-1");
        sdk = new Sdk(aws.endpoint(), 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sdk != null) {
            sdk.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void threeGibSparseSnapshotRoundTrips() throws Exception {
        EbsAsyncClient ebs = sdk.ebs("us-east-1");
        String snap = ebs.startSnapshot(b -> b.volumeSize((long) GIB).clientToken("sparse-3g").timeout(60)).join()
                .snapshotId();
        long started = System.nanoTime();
        // Bounded in flight, and no future kept once done.
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        MessageDigest aggregate = MessageDigest.getInstance("SHA-256");
        int count = 0;
        for (int i = 0; i < BLOCKS; i++) {
            if (!written(i)) {
                continue;
            }
            byte[] data = content(i);
            byte[] sha = Sdk.sha256(data);
            aggregate.update(sha);
            count++;
            int index = i;
            inFlight.acquire();
            ebs.putSnapshotBlock(b -> b.snapshotId(snap).blockIndex(index).dataLength(Sdk.BLOCK)
                    .checksum(Sdk.b64(sha)).checksumAlgorithm(ChecksumAlgorithm.SHA256),
                    AsyncRequestBody.fromBytes(data)).whenComplete((r, t) -> {
                        if (t != null) {
                            failure.compareAndSet(null, t);
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(IN_FLIGHT);
        assertThat(failure.get()).isNull();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("sparse round trip: PutSnapshotBlock %d blocks (%d MiB) in %.1f s = %.0f MiB/s%n", count,
                count / 2, seconds, count / 2 / seconds);
        int changed = count;
        ebs.completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(changed).checksum(Sdk.b64(aggregate.digest()))
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)).join();

        // The expected logical content: 3 GiB, zeros where nothing (or zeros) was written.
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        byte[] zeros = new byte[Sdk.BLOCK];
        for (int i = 0; i < BLOCKS; i++) {
            expected.update(written(i) ? content(i) : zeros);
        }
        String expectedHex = HexFormat.of().formatHex(expected.digest());
        assertThat(aws.admin("/_emulator/regions/us-east-1/snapshots/" + snap + "/sha256").path("sha256").asText())
                .isEqualTo(expectedHex);

        // Read it all back through EBS direct, as a consumer of the snapshot would.
        MessageDigest readBack = MessageDigest.getInstance("SHA-256");
        int next = 0;
        String token = null;
        int listed = 0;
        do {
            String page = token;
            ListSnapshotBlocksResponse resp = ebs.listSnapshotBlocks(b -> b.snapshotId(snap).maxResults(1000)
                    .nextToken(page)).join();
            for (Block block : resp.blocks()) {
                for (; next < block.blockIndex(); next++) {
                    readBack.update(zeros);
                }
                byte[] data = ebs.getSnapshotBlock(b -> b.snapshotId(snap).blockIndex(block.blockIndex())
                        .blockToken(block.blockToken()), AsyncResponseTransformer.toBytes()).join().asByteArray();
                readBack.update(data);
                next++;
                listed++;
            }
            token = resp.nextToken();
        } while (token != null);
        for (; next < BLOCKS; next++) {
            readBack.update(zeros);
        }
        assertThat(listed).isEqualTo(count);
        assertThat(HexFormat.of().formatHex(readBack.digest())).isEqualTo(expectedHex);

        JsonNode heap = aws.admin("/_emulator/health").path("heap");
        System.out.printf("sparse round trip: emulator peak heap %d MiB (max %d MiB) for a %d GiB snapshot%n",
                heap.path("peak").asLong() >> 20, heap.path("max").asLong() >> 20, GIB);
        assertThat(aws.alive()).isTrue();
        assertThat(heap.path("max").asLong()).isLessThan(256L << 20);
        assertThat(heap.path("peak").asLong()).isLessThan((long) GIB << 30 >> 4);
        JsonNode stored = aws.admin("/_emulator/regions/us-east-1/snapshots").get(0);
        assertThat(stored.path("snapshotId").asText()).isEqualTo(snap);
        assertThat(stored.path("state").asText()).isEqualTo("completed");
    }
}
