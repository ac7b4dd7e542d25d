package org.fedoraproject.fedimg.bundle;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Images made on the fly, so tests stream tens of MiB without holding them. */
final class TestImages {

    static final int BLOCK = 64 * 1024;

    private TestImages() {
    }

    /**
     * {@code size} bytes in 64 KiB blocks, one in {@code dataEvery} of them random (incompressible), the
     * others zeros — the shape of a raw disk image. Reads come back in sizes that vary with the seed, so the
     * writer meets short reads too.
     */
    static Generated mostlyZeros(long size, int dataEvery, long seed) {
        return new Generated(size, dataEvery, seed);
    }

    static final class Generated extends InputStream {

        private final long size;
        private final int dataEvery;
        private final long seed;
        private final SplittableRandom readSizes;
        private final MessageDigest sha256;
        private final byte[] block = new byte[BLOCK];
        private long position;

        Generated(long size, int dataEvery, long seed) {
            this.size = size;
            this.dataEvery = dataEvery;
            this.seed = seed;
            this.readSizes = new SplittableRandom(seed ^ 0x5eed);
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position == size) {
                return -1;
            }
            long blockIndex = position / BLOCK;
            int inBlock = (int) (position % BLOCK);
            fill(blockIndex);
            int n = (int) Math.min(Math.min(len, BLOCK - inBlock), size - position);
            n = Math.max(1, Math.min(n, 1 + readSizes.nextInt(BLOCK))); // short reads
            System.arraycopy(block, inBlock, b, off, n);
            sha256.update(block, inBlock, n);
            position += n;
            return n;
        }

        /** SHA-256 of what was read so far (all of it, once the stream is exhausted). */
        String sha256Hex() {
            return HexFormat.of().formatHex(sha256.digest());
        }

        private void fill(long blockIndex) {
            if (blockIndex % dataEvery == 0) {
                SplittableRandom r = new SplittableRandom(seed * 31 + blockIndex);
                for (int i = 0; i < BLOCK; i += 8) {
                    long v = r.nextLong();
                    for (int j = 0; j < 8; j++) {
                        block[i + j] = (byte) (v >>> (8 * j));
                    }
                }
            } else {
                java.util.Arrays.fill(block, (byte) 0);
            }
        }
    }
}
