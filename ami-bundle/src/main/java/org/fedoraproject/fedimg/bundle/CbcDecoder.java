package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;

import javax.crypto.Cipher;

/** AES-128-CBC decryption of a stream, as {@code openssl enc -d -aes-128-cbc}; checks the final padding. */
final class CbcDecoder extends RefillingInputStream {

    private static final int CHUNK = 64 * 1024;

    private final InputStream in;
    private final Cipher cipher;
    private final byte[] encrypted = new byte[CHUNK];
    private boolean eof;

    CbcDecoder(InputStream in, BundleKeys keys) {
        this.in = in;
        this.cipher = keys.cipher(Cipher.DECRYPT_MODE);
        this.buffer = new byte[CHUNK + 16];
    }

    @Override
    protected boolean refill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(encrypted);
        pos = 0;
        try {
            if (n < 0) {
                eof = true;
                limit = cipher.doFinal(buffer, 0);
            } else {
                limit = cipher.update(encrypted, 0, n, buffer);
            }
        } catch (GeneralSecurityException e) {
            throw new CorruptBundleException("the bundle does not decrypt: its length or final padding is wrong "
                    + "(" + e.getMessage() + ")", e);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
