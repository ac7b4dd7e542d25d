package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable file of object bytes: a PutObject body or an uploaded part. Objects refer to blobs (a completed
 * multipart object to its parts' blobs, an EC2 copy to its source's), and readers hold them while they stream, so
 * the file goes only when its last object is deleted and its last reader closed.
 */
final class Blob {

    final Path file;
    final long size;
    private final AtomicInteger refs = new AtomicInteger(1);

    Blob(Path file, long size) {
        this.file = file;
        this.size = size;
    }

    Blob retain() {
        if (refs.getAndIncrement() <= 0) {
            throw new IllegalStateException("blob " + file + " already released");
        }
        return this;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // the work dir goes at close
            }
        }
    }
}
