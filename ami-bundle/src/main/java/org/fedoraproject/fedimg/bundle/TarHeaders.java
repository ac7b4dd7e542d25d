package org.fedoraproject.fedimg.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 512-byte tar header, GNU flavour (GNU tar's default format, which the AMI tools ran): magic
 * {@code "ustar  \0"}, octal numbers, and GNU's base-256 numbers for values that do not fit (sizes of 8 GiB
 * and more). Layout from the GNU tar manual, "Basic Tar Format" and "Old GNU Format".
 */
final class TarHeaders {

    static final int BLOCK = 512;
    /** GNU tar's default record: 20 blocks. Archives are padded to whole records. */
    static final int RECORD = 20 * BLOCK;
    /** Eleven octal digits, the most a 12-byte field holds with its terminator: 8 GiB - 1. */
    static final long MAX_OCTAL_11 = (1L << 33) - 1;

    static final int NAME = 0;
    static final int NAME_LEN = 100;
    static final int MODE = 100;
    static final int UID = 108;
    static final int GID = 116;
    static final int SIZE = 124;
    static final int MTIME = 136;
    static final int CHKSUM = 148;
    static final int TYPEFLAG = 156;
    static final int MAGIC = 257;
    static final int UNAME = 265;
    static final int GNAME = 297;
    /** Old GNU sparse header: four map entries at 386, the extension flag at 482, the real size at 483. */
    static final int SPARSE = 386;
    static final int IS_EXTENDED = 482;
    static final int REAL_SIZE = 483;
    /** An extension block holds 21 map entries, then its own flag at 504. */
    static final int EXT_ENTRIES = 21;
    static final int EXT_IS_EXTENDED = 504;

    static final byte REGULAR = '0';
    static final byte REGULAR_OLD = 0;
    static final byte GNU_SPARSE = 'S';
    static final byte GNU_LONG_NAME = 'L';
    static final byte GNU_LONG_LINK = 'K';
    static final byte PAX = 'x';
    static final byte PAX_GLOBAL = 'g';

    private static final byte[] GNU_MAGIC = "ustar  \0".getBytes(StandardCharsets.US_ASCII);

    private TarHeaders() {
    }

    /** The header of one regular file owned by root, mode 0644. */
    static byte[] regularFile(String name, long size, long mtime) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length > NAME_LEN) {
            throw new IllegalArgumentException("tar name longer than " + NAME_LEN + " bytes: " + name);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, h, NAME, nameBytes.length);
        putNumber(h, MODE, 8, 0644);
        putNumber(h, UID, 8, 0);
        putNumber(h, GID, 8, 0);
        putNumber(h, SIZE, 12, size);
        putNumber(h, MTIME, 12, mtime);
        h[TYPEFLAG] = REGULAR;
        System.arraycopy(GNU_MAGIC, 0, h, MAGIC, GNU_MAGIC.length);
        putString(h, UNAME, "root");
        putString(h, GNAME, "root");
        putChecksum(h);
        return h;
    }

    /**
     * Octal with a NUL terminator when the value fits in {@code len - 1} digits; otherwise GNU base-256: the
     * first byte's high bit set, the value big-endian in the remaining bytes.
     */
    static void putNumber(byte[] h, int off, int len, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative tar number: " + value);
        }
        if (value < 1L << (3 * (len - 1))) {
            String octal = Long.toOctalString(value);
            Arrays.fill(h, off, off + len - 1 - octal.length(), (byte) '0');
            byte[] digits = octal.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, h, off + len - 1 - digits.length, digits.length);
            h[off + len - 1] = 0;
            return;
        }
        Arrays.fill(h, off, off + len, (byte) 0);
        h[off] = (byte) 0x80;
        for (int i = off + len - 1, shift = 0; i > off && shift < 64; i--, shift += 8) {
            h[i] = (byte) (value >>> shift);
        }
    }

    /** Octal (leading spaces or zeros, ended by NUL or space) or base-256; refuses negative base-256 values. */
    static long parseNumber(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            if ((h[off] & 0xff) != 0x80) {
                throw new IllegalArgumentException("negative or oversized base-256 number in tar header");
            }
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                if ((v >>> 55) != 0) {
                    throw new IllegalArgumentException("base-256 number in tar header exceeds 63 bits");
                }
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && h[i] == ' ') {
            i++;
        }
        long v = 0; // at most 12 digits: no overflow
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++) {
            v = (v << 3) | (h[i] - '0');
        }
        if (i < end && h[i] != 0 && h[i] != ' ') {
            throw new IllegalArgumentException("invalid octal number in tar header");
        }
        return v;
    }

    static String string(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The stored checksum against both sums tar implementations have used (bytes unsigned and signed). */
    static boolean checksumMatches(byte[] h) {
        long stored;
        try {
            stored = parseNumber(h, CHKSUM, 8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= CHKSUM && i < CHKSUM + 8 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** Bytes of padding after {@code size} bytes of data to reach a block boundary. */
    static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    private static void putString(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static void putChecksum(byte[] h) {
        Arrays.fill(h, CHKSUM, CHKSUM + 8, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        // six octal digits, NUL, space: the form tar itself writes
        String octal = String.format("%06o", sum);
        for (int i = 0; i < 6; i++) {
            h[CHKSUM + i] = (byte) octal.charAt(i);
        }
        h[CHKSUM + 6] = 0;
        h[CHKSUM + 7] = ' ';
    }
}
