package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cuts the encrypted stream into parts and hands each to the {@link PartSink}. At most
 * {@code maxPartsInFlight} parts are with the sink at once: handing over the next one waits for a stage to
 * complete, and that wait stalls the whole pipeline back to the image's decoding (backpressure). One more
 * buffer fills meanwhile; buffers are recycled, so memory is (maxPartsInFlight + 1) parts whatever the image size.
 */
final class PartCutter extends OutputStream {

    private final BundleSpec spec;
    private final PartSink sink;
    private final int maxPartsInFlight;
    private final Semaphore inFlight;
    private final Queue<byte[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<PartInfo> parts = new ArrayList<>();
    private final MessageDigest sha1;
    private byte[] current;
    private int filled;
    private long bundledSize;

    PartCutter(BundleSpec spec, PartSink sink, int maxPartsInFlight) {
        this.spec = spec;
        this.sink = sink;
        this.maxPartsInFlight = maxPartsInFlight;
        this.inFlight = new Semaphore(maxPartsInFlight);
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        throwIfFailed(); // a failed upload stops the bundle now, not at the next part
        while (len > 0) {
            if (current == null) {
                current = acquire();
            }
            int n = Math.min(len, current.length - filled);
            System.arraycopy(b, off, current, filled, n);
            sha1.update(b, off, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == current.length) {
                emit();
            }
        }
    }

    /** Hands over the last part and waits until the sink is done with every part. */
    @Override
    public void close() throws IOException {
        if (current != null && filled > 0) {
            emit();
        }
        awaitSink();
        throwIfFailed();
    }

    /** After a failure elsewhere: waits for parts already handed over, so no sink work outlives the writer. */
    void abandon() {
        if (Thread.currentThread().isInterrupted()) {
            return; // the caller is cancelling: do not block it further
        }
        try {
            awaitSink();
        } catch (InterruptedIOException e) {
            // interrupted while waiting: the caller's own failure is what matters
        }
    }

    List<PartInfo> parts() {
        return List.copyOf(parts);
    }

    long bundledSize() {
        return bundledSize;
    }

    private void emit() throws IOException {
        byte[] buffer = current;
        current = null;
        int length = filled;
        filled = 0;
        byte[] digest = sha1.digest();
        acquirePermit();
        if (failure.get() != null) {
            inFlight.release();
            throwIfFailed();
        }
        int index = parts.size();
        BundlePart part = new BundlePart(index, spec.partName(index), ByteBuffer.wrap(buffer, 0, length).slice(),
                digest);
        parts.add(part.info());
        bundledSize += length;
        CompletionStage<?> stage;
        try {
            stage = sink.accept(part);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new NullPointerException("the part sink returned no stage"));
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((ok, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            }
            free.add(buffer);
            inFlight.release();
        });
    }

    /**
     * A recycled buffer, or a new one: with at most {@code maxPartsInFlight} parts handed over, a missing free
     * buffer means fewer than {@code maxPartsInFlight + 1} exist (a stage returns its buffer before its permit).
     */
    private byte[] acquire() throws IOException {
        throwIfFailed();
        byte[] buffer = free.poll();
        return buffer != null ? buffer : new byte[spec.partSize()];
    }

    private void acquirePermit() throws InterruptedIOException {
        try {
            inFlight.acquire(); // backpressure: maxPartsInFlight parts are with the sink
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the part sink");
        }
    }

    private void awaitSink() throws InterruptedIOException {
        try {
            inFlight.acquire(maxPartsInFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the part sink");
        }
        inFlight.release(maxPartsInFlight);
    }

    private void throwIfFailed() throws PartSinkException {
        Throwable f = failure.get();
        if (f != null) {
            throw new PartSinkException("the part sink failed", f);
        }
    }
}
