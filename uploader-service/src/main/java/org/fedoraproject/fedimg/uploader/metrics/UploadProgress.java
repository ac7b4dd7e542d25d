package org.fedoraproject.fedimg.uploader.metrics;

import java.util.concurrent.atomic.AtomicLong;

import org.fedoraproject.fedimg.events.StageStatus;

import io.micrometer.core.instrument.Counter;

/** One image's progress, read by the periodic PROGRESS status and mirrored into the Micrometer counters. */
public final class UploadProgress {

    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong blocksWritten = new AtomicLong();
    private final AtomicLong blocksSkipped = new AtomicLong();
    private final Counter readCounter;
    private final Counter decompressedCounter;
    private final Counter writtenCounter;
    private final Counter skippedCounter;

    UploadProgress(Counter read, Counter decompressed, Counter written, Counter skipped) {
        this.readCounter = read;
        this.decompressedCounter = decompressed;
        this.writtenCounter = written;
        this.skippedCounter = skipped;
    }

    /** For code paths and tests without a registry. */
    public static UploadProgress detached() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry r = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        return new UploadProgress(r.counter("r"), r.counter("d"), r.counter("w"), r.counter("s"));
    }

    public void read(long bytes) {
        bytesRead.addAndGet(bytes);
        readCounter.increment(bytes);
    }

    /** Decompressed bytes that went into the snapshot, zero blocks included. */
    public void decompressed(long bytes) {
        bytesWritten.addAndGet(bytes);
        decompressedCounter.increment(bytes);
    }

    public void blockWritten() {
        blocksWritten.incrementAndGet();
        writtenCounter.increment();
    }

    public void blockSkipped() {
        blocksSkipped.incrementAndGet();
        skippedCounter.increment();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public StageStatus.Progress snapshot() {
        return new StageStatus.Progress(bytesRead.get(), bytesWritten.get(), blocksWritten.get(), blocksSkipped.get());
    }
}
