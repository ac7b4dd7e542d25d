package org.fedoraproject.fedimg.uploader.xz;

import static org.fedoraproject.fedimg.uploader.xz.Liblzma.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * Raw LZMA2 decoding with liblzma. Compressed bytes are copied into a native input buffer and decoded
 * straight into the caller's direct chunk: nothing is copied out on the decoder's thread.
 */
final class NativeLzma2 extends BlockDecoder {

    private static final int IN_SIZE = 64 * 1024;

    private final InputStream in;
    private final Memory strm = new Memory(STREAM_SIZE);
    private final Memory options = new Memory(OPTIONS_SIZE);
    private final Memory filters = new Memory(32);
    private final Memory inBuf = new Memory(IN_SIZE);
    private final byte[] staging = new byte[IN_SIZE];
    private boolean inputEnded;
    private boolean finished;
    private boolean closed;

    NativeLzma2(InputStream in, int dictSize) throws IOException {
        this.in = in;
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
    int fill(ByteBuffer chunk) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (!chunk.isDirect()) {
            throw new IllegalArgumentException("liblzma decodes into direct buffers only");
        }
        if (finished) {
            return 0;
        }
        int want = chunk.capacity();
        strm.setPointer(NEXT_OUT, Native.getDirectBufferPointer(chunk));
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
                return produced;
            }
            if (ret == LZMA_BUF_ERROR && inputEnded) {
                throw XzFormatException.corrupt("LZMA2 data ends early");
            }
            if (ret != LZMA_OK) {
                throw XzFormatException.corrupt(ret == LZMA_DATA_ERROR ? "LZMA2 data is corrupt"
                        : "liblzma error code " + ret);
            }
            if (produced == want) {
                return produced;
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lzma_end(strm);
            // freed now, not when a GC gets to them: one image decodes hundreds of blocks
            for (Memory m : new Memory[] {strm, options, filters, inBuf}) {
                m.close();
            }
        }
    }
}
