package org.fedoraproject.fedimg.uploader.xz;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;

import com.sun.jna.Native;

/**
 * One xz block's integrity check (none, CRC32, CRC64 or SHA-256) over decoded chunks, in its stored
 * (little-endian) form. It runs on the thread that consumes the decoded data, not on the decoder's: a
 * single-block image decodes on one thread, the slowest stage of the ingest, and the check is work that
 * can run beside it. CRC64, the usual xz check, is liblzma's on direct (native) chunks, xz-java's on heap
 * ones.
 */
abstract class BlockCheck {

    static final int NONE = 0;
    static final int CRC32_ID = 1;
    static final int CRC64_ID = 4;
    static final int SHA256_ID = 10;

    /** Whether the container's check type is one this class computes; the others are not xz-java's either. */
    static boolean supported(int checkType) {
        return checkType == NONE || checkType == CRC32_ID || checkType == CRC64_ID || checkType == SHA256_ID;
    }

    static BlockCheck of(int checkType) throws XzFormatException {
        return switch (checkType) {
            case NONE -> new None();
            case CRC32_ID -> new Crc32();
            case CRC64_ID -> new Crc64();
            case SHA256_ID -> new Sha256();
            default -> throw XzFormatException.notXz("unsupported integrity check type " + checkType);
        };
    }

    /** Adds {@code chunk}'s bytes from 0 to {@code len}; the buffer's position and limit are not changed. */
    abstract void update(ByteBuffer chunk, int len);

    abstract byte[] finish();

    private static final class None extends BlockCheck {
        @Override
        void update(ByteBuffer chunk, int len) {
        }

        @Override
        byte[] finish() {
            return new byte[0];
        }
    }

    private static final class Crc32 extends BlockCheck {
        private final CRC32 crc = new CRC32();

        @Override
        void update(ByteBuffer chunk, int len) {
            crc.update(chunk.duplicate().position(0).limit(len));
        }

        @Override
        byte[] finish() {
            return le(crc.getValue(), 4);
        }
    }

    private static final class Crc64 extends BlockCheck {
        private final org.tukaani.xz.check.CRC64 java = new org.tukaani.xz.check.CRC64();
        private long crc;
        private boolean usedJava;

        @Override
        void update(ByteBuffer chunk, int len) {
            if (chunk.isDirect()) {
                crc = Liblzma.lzma_crc64(Native.getDirectBufferPointer(chunk), len, crc);
            } else {
                usedJava = true;
                java.update(chunk.array(), chunk.arrayOffset(), len);
            }
        }

        @Override
        byte[] finish() {
            // one block's chunks are all direct (liblzma decodes) or all heap (xz-java decodes)
            return usedJava ? java.finish() : le(crc, 8);
        }
    }

    private static final class Sha256 extends BlockCheck {
        private final MessageDigest sha;

        Sha256() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void update(ByteBuffer chunk, int len) {
            sha.update(chunk.duplicate().position(0).limit(len));
        }

        @Override
        byte[] finish() {
            return sha.digest();
        }
    }

    private static byte[] le(long value, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            out[i] = (byte) (value >>> (8 * i));
        }
        return out;
    }
}
