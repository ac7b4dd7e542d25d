package org.fedoraproject.fedimg.uploader.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.domain.BlockChecksums;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.CompleteSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.PutSnapshotBlockRequest;
import software.amazon.awssdk.services.ebs.model.StartSnapshotRequest;
import software.amazon.awssdk.services.ebs.model.ValidationException;
import software.amazon.awssdk.services.ebs.model.ValidationExceptionReason;

/**
 * The {@code ebs-direct} engine (after coldsnap's {@code upload.rs}): StartSnapshot with a client token,
 * tags and a timeout; the decompressed image cut into 512 KiB blocks; all-zero blocks skipped (EBS reads
 * unwritten blocks as zeros); a SHA-256 per block; PutSnapshotBlock with at most {@code blockConcurrency}
 * calls in flight; then — only after the caller verified the whole download — CompleteSnapshot with the
 * LINEAR aggregate checksum. Waiting for {@code completed} is {@link Waits}' job.
 *
 * <p>Memory is bounded by blocks in flight × 512 KiB (buffers are recycled), whatever the image size.
 * Throttling and 5xx are retried by the SDK only; the one retry here is the "snapshot does not exist"
 * window right after StartSnapshot, filtered and with backoff.
 */
public final class EbsDirectEngine {

    private static final Logger LOG = Logger.getLogger(EbsDirectEngine.class);
    private static final int BLOCK = BlockChecksums.BLOCK_SIZE;

    /** Everything StartSnapshot needs. {@code clientToken} makes a repeat return the same snapshot. */
    public record Target(String region, String clientToken, int volumeSizeGib, int timeoutMinutes,
            Map<String, String> tags, String description) {
    }

    /** The decompressed image and the check that must pass before the snapshot may be completed. */
    public interface Source {
        InputStream image() throws IOException;

        void verifyComplete() throws IOException;
    }

    /** What was written; {@code checksums} feed CompleteSnapshot. */
    public record Written(String snapshotId, long blocksWritten, long blocksSkipped, long bytes,
            BlockChecksums checksums) {

        public Completion completion() {
            return new Completion(checksums.count(), checksums.linearAggregate());
        }
    }

    /** CompleteSnapshot's arguments, kept on the snapshot so that a restart can complete it again. */
    public record Completion(int changedBlocks, String linearAggregate) {
    }

    private final AwsClients clients;
    private final Executor blockingIo;
    private final int blockConcurrency;
    private final Duration notFoundWindow;

    public EbsDirectEngine(AwsClients clients, Executor blockingIo, int blockConcurrency,
            Duration notFoundWindow) {
        this.clients = clients;
        this.blockingIo = blockingIo;
        this.blockConcurrency = blockConcurrency;
        this.notFoundWindow = notFoundWindow;
    }

    /**
     * Starts (or, with the same token, re-finds) the snapshot, writes every block, verifies the download,
     * runs {@code beforeComplete} (e.g. tags the snapshot as verified) and completes it.
     */
    public Uni<Written> write(Target target, Source source, UploadProgress progress,
            Function<Written, Uni<Void>> beforeComplete) {
        return start(target)
                .chain(snapshotId -> Uni.createFrom().item(() -> writeBlocks(target, snapshotId, source, progress))
                        .runSubscriptionOn(blockingIo))
                .call(beforeComplete::apply)
                .call(w -> complete(target.region(), w.snapshotId(), w.completion()));
    }

    Uni<String> start(Target t) {
        EbsAsyncClient ebs = clients.ebs(t.region());
        StartSnapshotRequest req = StartSnapshotRequest.builder()
                .volumeSize((long) t.volumeSizeGib())
                .clientToken(t.clientToken())
                .timeout(t.timeoutMinutes())
                .tags(Ec2Tags.ebs(t.tags()))
                .description(t.description())
                .encrypted(false)
                .build();
        return Uni.createFrom().completionStage(() -> ebs.startSnapshot(req))
                .map(r -> {
                    LOG.infof("StartSnapshot in %s: %s (%s)", t.region(), r.snapshotId(), r.statusAsString());
                    return r.snapshotId();
                });
    }

    private Written writeBlocks(Target target, String snapshotId, Source source, UploadProgress progress) {
        EbsAsyncClient ebs = clients.ebs(target.region());
        long volumeBlocks = target.volumeSizeGib() * (1024L * 1024 * 1024 / BLOCK);
        BlockChecksums checksums = new BlockChecksums();
        Semaphore inFlight = new Semaphore(blockConcurrency);
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(blockConcurrency + 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long index = 0;
        long skipped = 0;
        long bytes = 0;
        try (InputStream image = source.image()) {
            byte[] buf = new byte[BLOCK];
            while (true) {
                int n = image.readNBytes(buf, 0, BLOCK);
                if (n == 0) {
                    break;
                }
                if (failure.get() != null) {
                    break;
                }
                if (index >= volumeBlocks) {
                    // an xz bomb, or an index that lied: stopped at the volume's end, streamed, nothing buffered
                    throw new BadInputException(DeadLetterReason.IMAGE_TOO_LARGE, "the image decompresses to more than "
                            + "its " + target.volumeSizeGib() + " GiB volume");
                }
                if (n < BLOCK) {
                    java.util.Arrays.fill(buf, n, BLOCK, (byte) 0);
                }
                bytes += n;
                progress.decompressed(n);
                if (BlockChecksums.isZero(buf, BLOCK)) {
                    skipped++;
                    progress.blockSkipped();
                } else {
                    byte[] digest = BlockChecksums.sha256(buf, 0, BLOCK);
                    checksums.add((int) index, digest);
                    inFlight.acquire();
                    byte[] sent = buf;
                    putBlock(ebs, snapshotId, (int) index, sent, BlockChecksums.base64(digest))
                            .subscribe().with(ok -> {
                                progress.blockWritten();
                                free.offer(sent);
                                inFlight.release();
                            }, err -> {
                                failure.compareAndSet(null, err);
                                inFlight.release();
                            });
                    byte[] recycled = free.poll();
                    buf = recycled != null ? recycled : new byte[BLOCK];
                }
                index++;
                if (n < BLOCK) {
                    break;
                }
            }
            inFlight.acquire(blockConcurrency);
            inFlight.release(blockConcurrency);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + snapshotId, e);
        }
        Throwable t = failure.get();
        if (t != null) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
        // the download must have matched its size and SHA-256 before the snapshot may exist as "completed"
        try {
            source.verifyComplete();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.infof("wrote %s in %s: %d blocks written, %d zero blocks skipped, %d bytes", snapshotId,
                target.region(), checksums.count(), skipped, bytes);
        return new Written(snapshotId, checksums.count(), skipped, bytes, checksums);
    }

    /** CompleteSnapshot; on a snapshot already completed, EBS answers with its status. */
    public Uni<Void> complete(String region, String snapshotId, Completion c) {
        CompleteSnapshotRequest req = CompleteSnapshotRequest.builder()
                .snapshotId(snapshotId)
                .changedBlocksCount(c.changedBlocks())
                .checksum(c.linearAggregate())
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)
                .build();
        return Uni.createFrom().completionStage(() -> clients.ebs(region).completeSnapshot(req))
                .invoke(r -> LOG.infof("CompleteSnapshot %s: %s", snapshotId, r.statusAsString()))
                .replaceWithVoid();
    }

    private Uni<Void> putBlock(EbsAsyncClient ebs, String snapshotId, int index, byte[] data, String checksum) {
        PutSnapshotBlockRequest req = PutSnapshotBlockRequest.builder()
                .snapshotId(snapshotId)
                .blockIndex(index)
                .dataLength(BLOCK)
                .checksum(checksum)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .build();
        return Uni.createFrom().completionStage(() -> ebs.putSnapshotBlock(req, AsyncRequestBody.fromBytesUnsafe(data)))
                .onFailure(EbsDirectEngine::snapshotNotReadyYet).retry()
                .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).withJitter(0.2)
                .expireIn(notFoundWindow.toMillis())
                .replaceWithVoid();
    }

    /** PutSnapshotBlock right after StartSnapshot: "the snapshot does not exist" for up to a couple of minutes. */
    static boolean snapshotNotReadyYet(Throwable t) {
        if (AwsErrors.isNotFound(t)) {
            return true;
        }
        Throwable c = AwsErrors.unwrap(t);
        if (c instanceof ValidationException v && v.reason() == ValidationExceptionReason.INVALID_SNAPSHOT_ID) {
            return true;
        }
        return c instanceof AwsServiceException e && !e.isThrottlingException() && e.statusCode() < 500
                && String.valueOf(e.getMessage()).toLowerCase().contains("does not exist");
    }
}
