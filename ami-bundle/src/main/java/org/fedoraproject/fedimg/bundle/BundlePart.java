package org.fedoraproject.fedimg.bundle;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One finished part. Its bytes live in a buffer the writer reuses once the sink's stage completes: read or
 * send them before that (for the AWS SDK, {@code AsyncRequestBody.fromByteBufferUnsafe(part.data())} without
 * a copy is safe for that reason), never after.
 */
public final class BundlePart {

    private final int index;
    private final String fileName;
    private final ByteBuffer data;
    private final byte[] sha1;

    BundlePart(int index, String fileName, ByteBuffer data, byte[] sha1) {
        this.index = index;
        this.fileName = fileName;
        this.data = data.asReadOnlyBuffer();
        this.sha1 = sha1;
    }

    public int index() {
        return index;
    }

    /** {@code name.part.NN}: the object's name beside the manifest. */
    public String fileName() {
        return fileName;
    }

    /** A read-only view of the part's bytes, positioned at its start; each call returns a fresh view. */
    public ByteBuffer data() {
        return data.duplicate();
    }

    public int size() {
        return data.remaining();
    }

    public String sha1Hex() {
        return HexFormat.of().formatHex(sha1);
    }

    /** The SHA-1 as S3's {@code x-amz-checksum-sha1} and {@code ChecksumSHA1} carry it. */
    public String sha1Base64() {
        return Base64.getEncoder().encodeToString(sha1);
    }

    public PartInfo info() {
        return new PartInfo(index, fileName, sha1Hex());
    }

    @Override
    public String toString() {
        return "BundlePart[" + fileName + ", " + size() + " bytes, sha1 " + sha1Hex() + "]";
    }
}
