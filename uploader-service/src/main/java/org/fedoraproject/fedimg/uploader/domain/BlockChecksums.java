package org.fedoraproject.fedimg.uploader.domain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * EBS direct checksums: each block's SHA-256 (base64), and the LINEAR aggregate that CompleteSnapshot
 * wants: the SHA-256 of the written blocks' raw digests concatenated in block-index order. Digests may be
 * added from several threads in any order.
 */
public final class BlockChecksums {

    public static final int BLOCK_SIZE = 512 * 1024;

    private final ConcurrentSkipListMap<Integer, byte[]> digests = new ConcurrentSkipListMap<>();

    public static byte[] sha256(byte[] data, int offset, int length) {
        MessageDigest sha = newSha256();
        sha.update(data, offset, length);
        return sha.digest();
    }

    public static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    /** True when every byte of the block is zero: EBS reads unwritten blocks as zeros, so it is skipped. */
    public static boolean isZero(byte[] data, int length) {
        int off = 0;
        while (off < length) {
            int n = Math.min(ZEROS.length, length - off);
            if (Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                return false;
            }
            off += n;
        }
        return true;
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    public void add(int blockIndex, byte[] digest) {
        digests.put(blockIndex, digest);
    }

    public int count() {
        return digests.size();
    }

    public String linearAggregate() {
        MessageDigest sha = newSha256();
        digests.values().forEach(sha::update);
        return base64(sha.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
