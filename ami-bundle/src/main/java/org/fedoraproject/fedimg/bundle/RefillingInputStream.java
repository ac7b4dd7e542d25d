package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** A stream served from a buffer that the subclass refills a chunk at a time (a part, a decrypted slice). */
abstract class RefillingInputStream extends InputStream {

    protected byte[] buffer = new byte[0];
    protected int pos;
    protected int limit;

    /** Refills {@code buffer}, {@code pos} and {@code limit}; false at the end of the stream. */
    protected abstract boolean refill() throws IOException;

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (pos == limit) {
            if (!refill()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buffer, pos, b, off, n);
        pos += n;
        return n;
    }
}
