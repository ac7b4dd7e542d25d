package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A tar archive of exactly one regular file, written as its bytes arrive: header, data, padding, the two zero
 * blocks that end an archive, zeros to a whole record. Keeps the SHA-1 of everything it writes, which is the
 * manifest's image digest (the AMI tools tee the tar stream into {@code openssl sha1}).
 *
 * <p>Not sparse: GNU's sparse formats put the map of holes before the data (in the header, or at the start of
 * the entry), which a single pass over a stream cannot know. Deflate shrinks runs of zeros some thousand-fold,
 * so the holes cost CPU time, not bundle size (README, "Sparse").
 */
final class TarOutput extends OutputStream {

    private static final byte[] ZEROS = new byte[TarHeaders.RECORD];

    private final OutputStream out;
    private final MessageDigest sha1;
    private final long size;
    private long written;
    private long archived;

    TarOutput(OutputStream out, String name, long size, long mtime) throws IOException {
        this.out = out;
        this.size = size;
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        emit(TarHeaders.regularFile(name, size, mtime), 0, TarHeaders.BLOCK);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > size - written) {
            throw new IOException("more image data than the declared " + size + " bytes");
        }
        emit(b, off, len);
        written += len;
    }

    /** Ends the archive and closes the stream below. */
    @Override
    public void close() throws IOException {
        if (written != size) {
            throw new IOException("the image ended after " + written + " of its declared " + size + " bytes");
        }
        emit(ZEROS, 0, TarHeaders.padding(size));
        emit(ZEROS, 0, 2 * TarHeaders.BLOCK);
        emit(ZEROS, 0, (int) ((TarHeaders.RECORD - archived % TarHeaders.RECORD) % TarHeaders.RECORD));
        out.close();
    }

    byte[] sha1() {
        return sha1.digest();
    }

    private void emit(byte[] b, int off, int len) throws IOException {
        sha1.update(b, off, len);
        out.write(b, off, len);
        archived += len;
    }
}
