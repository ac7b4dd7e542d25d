package org.fedoraproject.fedimg.bundle;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The parts, in index order, as one stream. Each part is read whole into one reused buffer and its SHA-1
 * checked against the signed manifest before any of its bytes go further, so nothing unverified is ever
 * decrypted; memory is one part.
 */
final class PartsInputStream extends RefillingInputStream {

    private static final int INITIAL_BUFFER = 1024 * 1024;

    private final List<PartInfo> parts;
    private final PartSource source;
    private final int maxPartBytes;
    private final long expectedTotal;
    private final MessageDigest sha1;
    private int next;
    private long total;
    private boolean done;

    PartsInputStream(List<PartInfo> parts, PartSource source, int maxPartBytes, long expectedTotal) {
        this.parts = parts;
        this.source = source;
        this.maxPartBytes = maxPartBytes;
        this.expectedTotal = expectedTotal;
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the next part whole and checks its digest; false after the last. */
    @Override
    protected boolean refill() throws IOException {
        if (done) {
            return false;
        }
        if (next == parts.size()) {
            done = true;
            if (total != expectedTotal) {
                throw new CorruptBundleException("the parts hold " + total + " bytes; the manifest's bundled_size is "
                        + expectedTotal);
            }
            return false;
        }
        PartInfo part = parts.get(next);
        InputStream in;
        try {
            in = source.open(part.fileName());
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new MissingPartException(part.index(), part.fileName(), e);
        }
        int length;
        try (in) {
            length = readWhole(in, part);
        }
        String actual = digest(length);
        if (!actual.equals(part.sha1Hex())) {
            // pos == limit still: a caller reading on gets this failure again, never the unverified bytes
            throw new PartDigestMismatchException(part.index(), part.fileName(), part.sha1Hex(), actual);
        }
        pos = 0;
        limit = length;
        total += length;
        next++;
        return true;
    }

    private int readWhole(InputStream in, PartInfo part) throws IOException {
        int n = 0;
        while (true) {
            if (n == buffer.length) {
                if (buffer.length > maxPartBytes) {
                    throw new CorruptBundleException("part " + part.index() + " (" + part.fileName()
                            + ") is larger than " + maxPartBytes + " bytes");
                }
                buffer = Arrays.copyOf(buffer, Math.min(Math.max(INITIAL_BUFFER, 2 * buffer.length), maxPartBytes + 1));
            }
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) {
                return n;
            }
            n += r;
        }
    }

    private String digest(int length) {
        sha1.update(buffer, 0, length);
        return HexFormat.of().formatHex(sha1.digest());
    }
}
