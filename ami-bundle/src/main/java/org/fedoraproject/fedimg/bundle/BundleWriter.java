package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Bundles a raw image as the EC2 AMI tools' {@code ec2-bundle-image} does, in one pass over a stream:
 * tar → gzip → AES-128-CBC → parts, each part handed to a {@link PartSink} as soon as it is full. No
 * temporary file; memory is (maxPartsInFlight + 1) × part size plus a few 64 KiB buffers.
 *
 * <p>Blocking: run it on a worker thread, never an event loop. The same spec, keys and image bytes give
 * byte-identical parts (README, "Resume").
 */
public final class BundleWriter {

    private static final int COPY_BUFFER = 1024 * 1024;

    private final BundleSpec spec;
    private final BundleKeys keys;
    private final int maxPartsInFlight;

    public BundleWriter(BundleSpec spec, BundleKeys keys, int maxPartsInFlight) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.keys = Objects.requireNonNull(keys, "keys");
        if (maxPartsInFlight < 1) {
            throw new IllegalArgumentException("maxPartsInFlight must be at least 1: " + maxPartsInFlight);
        }
        this.maxPartsInFlight = maxPartsInFlight;
    }

    /**
     * Reads exactly {@code spec.imageSize()} bytes from {@code image} (and checks that nothing follows) and
     * returns once the sink has finished with every part. On failure, waits for the parts already handed over
     * (unless interrupted) before throwing, so that no sink work outlives the call.
     *
     * @throws PartSinkException when a sink stage failed
     * @throws IOException when the image stream fails or its length differs from the spec
     */
    public BundledImage write(InputStream image, PartSink sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        PartCutter parts = new PartCutter(spec, sink, maxPartsInFlight);
        GzipEncoder gzip = new GzipEncoder(new CbcEncoder(parts, keys), spec.gzipLevel());
        try {
            TarOutput tar = new TarOutput(gzip, spec.name(), spec.imageSize(), spec.modifiedEpochSeconds());
            copy(image, tar);
            tar.close(); // ends tar, gzip, the cipher, the last part; waits for the sink
            return new BundledImage(spec.name(), spec.imageSize(), HexFormat.of().formatHex(tar.sha1()),
                    parts.bundledSize(), parts.parts());
        } catch (IOException | RuntimeException e) {
            parts.abandon();
            throw e;
        } finally {
            gzip.end();
        }
    }

    private void copy(InputStream image, TarOutput tar) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        long remaining = spec.imageSize();
        while (remaining > 0) {
            int n = image.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("the image ended after " + (spec.imageSize() - remaining) + " of its declared "
                        + spec.imageSize() + " bytes");
            }
            tar.write(buffer, 0, n);
            remaining -= n;
        }
        if (image.read() >= 0) {
            throw new IOException("the image is longer than its declared " + spec.imageSize() + " bytes");
        }
    }
}
