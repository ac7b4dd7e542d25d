package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip member (RFC 1952) with a fixed header: no name, no time, so that the same input gives the same
 * bytes. Deflate is fed in fixed 64 KiB slices of the input, whatever sizes the writes come in, so the output
 * does not depend on how the image stream happened to be read either.
 */
final class GzipEncoder extends OutputStream {

    static final int SLICE = 64 * 1024;
    /** ID1 ID2, CM=deflate, FLG=0, MTIME=0, XFL=0, OS=3 (Unix). */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

    private final OutputStream out;
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] slice = new byte[SLICE];
    private final byte[] compressed = new byte[SLICE];
    private int filled;
    private long total;
    private boolean ended;

    GzipEncoder(OutputStream out, int level) throws IOException {
        this.out = out;
        this.deflater = new Deflater(level, true);
        out.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, SLICE - filled);
            System.arraycopy(b, off, slice, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == SLICE) {
                deflateSlice();
            }
        }
    }

    /** Finishes the member (deflate end, CRC-32, size mod 2^32) and closes the stream below. */
    @Override
    public void close() throws IOException {
        try {
            deflateSlice();
            deflater.finish();
            while (!deflater.finished()) {
                drain();
            }
            byte[] trailer = new byte[8];
            putLittleEndian(trailer, 0, crc.getValue());
            putLittleEndian(trailer, 4, total);
            out.write(trailer);
        } finally {
            end();
        }
        out.close();
    }

    /** Frees the native deflater; safe to call more than once, and after a failure. */
    void end() {
        if (!ended) {
            ended = true;
            deflater.end();
        }
    }

    private void deflateSlice() throws IOException {
        deflater.setInput(slice, 0, filled);
        while (!deflater.needsInput()) {
            drain();
        }
        filled = 0;
    }

    private void drain() throws IOException {
        int n = deflater.deflate(compressed);
        if (n > 0) {
            out.write(compressed, 0, n);
        }
    }

    private static void putLittleEndian(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
