package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;

/** AES-128-CBC with PKCS#7 padding, as {@code openssl enc -e -aes-128-cbc -K … -iv …}. */
final class CbcEncoder extends OutputStream {

    private static final int CHUNK = 64 * 1024;

    private final OutputStream out;
    private final Cipher cipher;
    private final byte[] encrypted = new byte[CHUNK + 16];

    CbcEncoder(OutputStream out, BundleKeys keys) {
        this.out = out;
        this.cipher = keys.cipher(Cipher.ENCRYPT_MODE);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            while (len > 0) {
                int n = Math.min(len, CHUNK);
                out.write(encrypted, 0, cipher.update(b, off, n, encrypted));
                off += n;
                len -= n;
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-128-CBC encryption failed", e);
        }
    }

    /** Pads the last block and closes the stream below. */
    @Override
    public void close() throws IOException {
        try {
            out.write(encrypted, 0, cipher.doFinal(encrypted, 0));
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-128-CBC encryption failed", e);
        }
        out.close();
    }
}
