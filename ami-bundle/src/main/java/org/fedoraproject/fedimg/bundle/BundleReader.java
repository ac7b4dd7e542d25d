package org.fedoraproject.fedimg.bundle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reassembles the raw image of a bundle as a stream: parts (each checked against its signed SHA-1 before
 * use) → AES-128-CBC → gunzip → untar. Memory is one part plus a few 64 KiB buffers.
 *
 * <p>The image is only valid if the stream reaches its end without an exception: the last read checks the
 * archive's end, the gzip trailer, the cipher's padding, that every listed part was used and that the tar
 * stream's SHA-1 is the manifest's image digest. Failures are {@link BundleException}s, one class per cause;
 * other {@link IOException}s come from the {@link PartSource}.
 */
public final class BundleReader {

    /** The largest part {@link BundleWriter} cuts; a larger one is refused rather than buffered. */
    public static final int DEFAULT_MAX_PART_BYTES = BundleSpec.MAX_PART_SIZE;
    private static final int BUFFER = 64 * 1024;

    private BundleReader() {
    }

    public static InputStream open(BundleManifest manifest, BundleKeys keys, PartSource parts) {
        return open(manifest, keys, parts, DEFAULT_MAX_PART_BYTES);
    }

    public static InputStream open(BundleManifest manifest, BundleKeys keys, PartSource parts, int maxPartBytes) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(parts, "parts");
        if (maxPartBytes < 1) {
            throw new IllegalArgumentException("maxPartBytes must be positive: " + maxPartBytes);
        }
        return new ImageStream(manifest, keys, parts, maxPartBytes);
    }

    private static final class ImageStream extends InputStream {

        private final BundleManifest manifest;
        private final CbcDecoder decrypted;
        private final MessageDigest tarDigest;
        private GZIPInputStream gunzipped;
        private TarImageReader tar;
        private boolean ended;
        /** Sticky: once refused, the image stays refused, however often the caller reads on. */
        private IOException failure;

        ImageStream(BundleManifest manifest, BundleKeys keys, PartSource parts, int maxPartBytes) {
            this.manifest = manifest;
            this.decrypted = new CbcDecoder(
                    new PartsInputStream(manifest.parts(), parts, maxPartBytes, manifest.bundledSize()), keys);
            try {
                this.tarDigest = MessageDigest.getInstance("SHA-1");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (failure != null) {
                throw failure;
            }
            if (ended) {
                return -1;
            }
            try {
                if (tar == null) {
                    start();
                }
                int n = tar.read(b, off, len);
                if (n < 0) {
                    finish();
                }
                return n;
            } catch (ZipException | EOFException e) {
                failure = new CorruptBundleException("the decrypted bundle is not a valid gzip stream: "
                        + e.getMessage(), e);
                throw failure;
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
                throw e;
            }
        }

        private void start() throws IOException {
            gunzipped = new GZIPInputStream(decrypted, BUFFER);
            tar = new TarImageReader(new DigestInputStream(gunzipped, tarDigest));
            long size = tar.open();
            if (size != manifest.imageSize()) {
                throw new CorruptBundleException("the bundle's image file '" + tar.name() + "' holds " + size
                        + " bytes; the manifest says " + manifest.imageSize());
            }
        }

        private void finish() throws IOException {
            tar.readEnd(); // reads to the end of the gzip stream, which checks its CRC and length
            byte[] rest = new byte[BUFFER];
            long after = 0;
            for (int n; (n = decrypted.read(rest)) >= 0;) {
                after += n; // uses every remaining part: digests, bundled_size, padding
            }
            if (after > 0) {
                throw new CorruptBundleException(after + " bytes follow the bundle's gzip stream");
            }
            String digest = HexFormat.of().formatHex(tarDigest.digest());
            if (!digest.equals(manifest.imageDigestSha1Hex())) {
                throw new CorruptBundleException("the image's tar stream has SHA-1 " + digest
                        + "; the manifest's image digest is " + manifest.imageDigestSha1Hex());
            }
            ended = true;
        }

        @Override
        public void close() throws IOException {
            ended = true;
            if (gunzipped != null) {
                gunzipped.close();
            } else {
                decrypted.close();
            }
        }
    }
}
