package org.fedoraproject.fedimg.uploader.xz;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

import org.tukaani.xz.CorruptedInputException;
import org.tukaani.xz.LZMA2InputStream;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.check.Check;

/**
 * One xz block's LZMA2 data, decoded, with the block's integrity check computed over what was read.
 * Damaged or cut-short data is an {@link XzFormatException}.
 */
abstract class BlockDecoder extends InputStream {

    static BlockDecoder open(XzDecoder decoder, InputStream lzma2, int dictSize, int checkType) throws IOException {
        Check check;
        try {
            check = Check.getInstance(checkType);
        } catch (UnsupportedOptionsException e) {
            throw XzFormatException.notXz("unsupported integrity check type " + checkType);
        }
        return decoder.resolve() == XzDecoder.LIBLZMA
                ? new NativeLzma2(lzma2, dictSize, checkType, check)
                : new JavaLzma2(lzma2, dictSize, check);
    }

    /** The block's check over everything read so far, in its stored (little-endian) form. */
    abstract byte[] finishCheck();

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    private static final class JavaLzma2 extends BlockDecoder {
        private final LZMA2InputStream lz;
        private final Check check;

        JavaLzma2(InputStream in, int dictSize, Check check) {
            this.lz = new LZMA2InputStream(in, dictSize);
            this.check = check;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = lz.read(b, off, len);
            } catch (CorruptedInputException e) {
                throw XzFormatException.corrupt(e.getMessage(), e);
            } catch (EOFException e) {
                throw XzFormatException.corrupt("LZMA2 data ends early");
            }
            if (n > 0) {
                check.update(b, off, n);
            }
            return n;
        }

        @Override
        byte[] finishCheck() {
            return check.finish();
        }

        @Override
        public void close() throws IOException {
            lz.close();
        }
    }
}
