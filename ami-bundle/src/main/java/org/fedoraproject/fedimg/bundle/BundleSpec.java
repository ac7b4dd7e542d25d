package org.fedoraproject.fedimg.bundle;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Everything besides the image bytes and the keys that decides a bundle's bytes. Two runs with the same
 * spec, keys and image produce the same parts (see the README, "Resume").
 *
 * @param name the bundle's name: the tar entry's name, the parts' prefix ({@code name.part.NN}) and the
 *     manifest's {@code image/name}; at most 100 characters, as a plain ustar name field holds
 * @param imageSize the raw image's exact size in bytes: the tar header precedes the data, so it must be known
 *     before the first byte is bundled (the uploader reads it from the xz index)
 * @param modifiedEpochSeconds the tar entry's modification time (fixed, so that re-runs match)
 * @param partSize bytes per part; the AMI tools cut 10 MiB parts ({@code Bundle::CHUNK_SIZE})
 * @param gzipLevel deflate level; the AMI tools run {@code gzip -9}, which costs four times the CPU of level 1
 *     for some 5% less data (README, "Compression")
 */
public record BundleSpec(String name, long imageSize, long modifiedEpochSeconds, int partSize, int gzipLevel) {

    public static final int PART_SIZE = 10 * 1024 * 1024;
    public static final int GZIP_LEVEL = 1;
    /** Below this, a bundle of any real image would have thousands of parts; tests use small parts. */
    static final int MIN_PART_SIZE = 4096;
    /** Bounds memory: the writer's (parts in flight + 1) × part size, the reader's one part. */
    static final int MAX_PART_SIZE = 32 * 1024 * 1024;

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");

    public BundleSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bundle name must be 1-100 of [A-Za-z0-9._+-], not starting with a "
                    + "punctuation mark: " + name);
        }
        if (imageSize < 0) {
            throw new IllegalArgumentException("image size must not be negative: " + imageSize);
        }
        if (modifiedEpochSeconds < 0 || modifiedEpochSeconds > TarHeaders.MAX_OCTAL_11) {
            throw new IllegalArgumentException("modification time out of the tar header's range: " + modifiedEpochSeconds);
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("part size must be " + MIN_PART_SIZE + ".." + MAX_PART_SIZE + ": " + partSize);
        }
        if (gzipLevel < 1 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzip level must be 1..9: " + gzipLevel);
        }
    }

    /** The AMI tools' part size and fedimg's gzip level. */
    public static BundleSpec of(String name, long imageSize, Instant modified) {
        return new BundleSpec(name, imageSize, modified.getEpochSecond(), PART_SIZE, GZIP_LEVEL);
    }

    /**
     * {@code name.part.NN}: at least two digits, as euca2ools names them; the AMI tools pad to the width of the
     * part count, which a stream does not know until its end. The manifest lists every name, so readers do not
     * depend on the width.
     */
    public String partName(int index) {
        return String.format("%s.part.%02d", name, index);
    }
}
