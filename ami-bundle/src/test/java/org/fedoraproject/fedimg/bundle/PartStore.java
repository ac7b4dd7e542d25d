package org.fedoraproject.fedimg.bundle;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bucket in memory: a {@link PartSink} that stores copies of the parts (at once, or later on an executor,
 * like an async upload) and a {@link PartSource} that serves them. Counts what is in flight.
 */
final class PartStore implements PartSink, PartSource {

    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final Executor uploader;

    /** Stores synchronously. */
    PartStore() {
        this(null);
    }

    /** Stores on {@code uploader}, completing the stage there. */
    PartStore(Executor uploader) {
        this.uploader = uploader;
    }

    @Override
    public CompletionStage<?> accept(BundlePart part) {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        if (uploader == null) {
            store(part);
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> store(part), uploader);
    }

    @Override
    public InputStream open(String fileName) throws NoSuchFileException {
        byte[] b = objects.get(fileName);
        if (b == null) {
            throw new NoSuchFileException(fileName);
        }
        return new ByteArrayInputStream(b);
    }

    long totalBytes() {
        return objects.values().stream().mapToLong(b -> b.length).sum();
    }

    private void store(BundlePart part) {
        ByteBuffer data = part.data();
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        objects.put(part.fileName(), copy);
        inFlight.decrementAndGet();
    }
}
