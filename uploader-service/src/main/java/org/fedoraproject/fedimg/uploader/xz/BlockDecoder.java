package org.fedoraproject.fedimg.uploader.xz;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.LZMA2InputStream;

/**
 * One xz block's LZMA2 data, decoded chunk by chunk. Damaged or cut-short data is an
 * {@link XzFormatException}. The block's integrity check is not computed here but by the consumer of the
 * chunks ({@link BlockCheck}), off the decoder's thread.
 */
abstract class BlockDecoder implements Closeable {

    static BlockDecoder open(XzDecoder decoder, InputStream lzma2, int dictSize) throws IOException {
        return decoder.resolve() == XzDecoder.LIBLZMA ? new NativeLzma2(lzma2, dictSize) : new JavaLzma2(lzma2, dictSize);
    }

    /** The chunks this decoder fills: direct (native) buffers for liblzma, which then needs no copy out. */
    static ByteBuffer allocateChunk(XzDecoder decoder, int size) {
        return decoder.resolve() == XzDecoder.LIBLZMA ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /**
     * Decodes into {@code chunk} from index 0 up to its capacity (its position and limit are ignored and
     * left alone); returns the number of bytes written, which is less than the capacity only at the end of
     * the block.
     */
    abstract int fill(ByteBuffer chunk) throws IOException;

    private static final class JavaLzma2 extends BlockDecoder {
        private final LZMA2InputStream lz;

        JavaLzma2(InputStream in, int dictSize) {
            this.lz = new LZMA2InputStream(in, dictSize);
        }

        @Override
        int fill(ByteBuffer chunk) throws IOException {
            try {
                return lz.readNBytes(chunk.array(), chunk.arrayOffset(), chunk.capacity());
            } catch (CorruptedInputException e) {
                throw XzFormatException.corrupt(e.getMessage(), e);
            } catch (EOFException e) {
                throw XzFormatException.corrupt("LZMA2 data ends early");
            }
        }

        @Override
        public void close() throws IOException {
            lz.close();
        }
    }
}
