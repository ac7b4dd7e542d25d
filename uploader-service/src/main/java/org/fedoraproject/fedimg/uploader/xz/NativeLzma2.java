package org.fedoraproject.fedimg.uploader.xz;

import static org.fedoraproject.fedimg.uploader.xz.Liblzma.*;

import java.io.IOException;
import java.io.InputStream;

import org.tukaani.xz.check.Check;

import com.sun.jna.Memory;

/**
 * Raw LZMA2 decoding with liblzma. Compressed bytes are copied into a native input buffer and decoded
 * into a native output buffer; CRC64, the usual xz check, is computed there by liblzma too, so the only
 * work left in Java is one copy out.
 */
final class NativeLzma2 extends BlockDecoder {

    private static final int IN_SIZE = 64 * 1024;
    private static final int OUT_SIZE = 256 * 1024;
    /** The xz check ID of CRC64. */
    private static final int CRC64 = 4;

    private final InputStream in;
    private final Check javaCheck;
    private final boolean crc64;
    private final Memory strm = new Memory(STREAM_SIZE);
    private final Memory options = new Memory(OPTIONS_SIZE);
    private final Memory filters = new Memory(32);
    private final Memory inBuf = new Memory(IN_SIZE);
    private final Memory outBuf = new Memory(OUT_SIZE);
    private final byte[] staging = new byte[IN_SIZE];
    private long crc;
    private boolean inputEnded;
    private boolean finished;
    private boolean closed;

    NativeLzma2(InputStream in, int dictSize, int checkType, Check check) throws IOException {
        this.in = in;
        this.javaCheck = check;
        this.crc64 = checkType == CRC64;
        strm.clear();
        options.clear();
        options.setInt(0, dictSize);
        filters.setLong(0, LZMA_FILTER_LZMA2);
        filters.setPointer(8, options);
        filters.setLong(16, LZMA_VLI_UNKNOWN);
        filters.setPointer(24, null);
        int ret = lzma_raw_decoder(strm, filters);
        if (ret != LZMA_OK) {
            throw ret == LZMA_MEM_ERROR
                    ? new IOException("liblzma could not allocate a " + (dictSize >> 20) + " MiB dictionary")
                    : XzFormatException.corrupt("liblzma refused the LZMA2 options (code " + ret + ")");
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (finished || len == 0) {
            return finished ? -1 : 0;
        }
        int want = Math.min(len, OUT_SIZE);
        strm.setPointer(NEXT_OUT, outBuf);
        strm.setLong(AVAIL_OUT, want);
        while (true) {
            if (strm.getLong(AVAIL_IN) == 0 && !inputEnded) {
                int n = in.read(staging, 0, IN_SIZE);
                if (n < 0) {
                    inputEnded = true;
                } else {
                    inBuf.write(0, staging, 0, n);
                    strm.setPointer(NEXT_IN, inBuf);
                    strm.setLong(AVAIL_IN, n);
                }
            }
            int ret = lzma_code(strm, inputEnded ? LZMA_FINISH : LZMA_RUN);
            int produced = (int) (want - strm.getLong(AVAIL_OUT));
            if (ret == LZMA_STREAM_END) {
                finished = true;
                return produced > 0 ? deliver(b, off, produced) : -1;
            }
            if (ret == LZMA_BUF_ERROR && inputEnded) {
                throw XzFormatException.corrupt("LZMA2 data ends early");
            }
            if (ret != LZMA_OK) {
                throw XzFormatException.corrupt(ret == LZMA_DATA_ERROR ? "LZMA2 data is corrupt"
                        : "liblzma error code " + ret);
            }
            if (produced == want) {
                return deliver(b, off, produced);
            }
        }
    }

    private int deliver(byte[] b, int off, int n) {
        outBuf.read(0, b, off, n);
        if (crc64) {
            crc = lzma_crc64(outBuf, n, crc);
        } else {
            javaCheck.update(b, off, n);
        }
        return n;
    }

    @Override
    byte[] finishCheck() {
        if (!crc64) {
            return javaCheck.finish();
        }
        byte[] le = new byte[8];
        for (int i = 0; i < 8; i++) {
            le[i] = (byte) (crc >>> (8 * i));
        }
        return le;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lzma_end(strm);
            // freed now, not when a GC gets to them: one image decodes hundreds of blocks
            for (Memory m : new Memory[] {strm, options, filters, inBuf, outBuf}) {
                m.close();
            }
        }
    }
}
