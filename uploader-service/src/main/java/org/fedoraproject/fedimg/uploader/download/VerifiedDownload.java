package org.fedoraproject.fedimg.uploader.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.jboss.logging.Logger;

/**
 * The compressed image as a blocking stream, fetched over HTTP(S) with redirects, resumed with
 * {@code Range} after a broken or stalled connection, and verified while it streams: the byte count
 * against the compose metadata's size and, at the end, the SHA-256. A mismatch is a {@link BadInputException}
 * (SIZE_MISMATCH / CHECKSUM_MISMATCH), thrown from {@link #read} at the latest when the last byte has been read.
 * Callers must call {@link #verifyToEnd()} before trusting anything written from it.
 */
public final class VerifiedDownload extends InputStream {

    private static final Logger LOG = Logger.getLogger(VerifiedDownload.class);

    public record Settings(Duration stallTimeout, int maxResumes, Duration resumeBackoff) {
    }

    private final TrustedHttp http;
    private final URI uri;
    private final long expectedSize;
    private final String expectedSha256;
    private final Settings settings;
    private final ScheduledExecutorService watchdogs;
    private final LongConsumer onBytes;
    private final MessageDigest sha = newSha256();

    private InputStream body;
    private long position;
    private int resumes;
    private boolean verified;
    private volatile long lastProgressNanos = System.nanoTime();
    private ScheduledFuture<?> watchdog;
    private volatile boolean stalled;

    public VerifiedDownload(TrustedHttp http, URI uri, long expectedSize, String expectedSha256, Settings settings,
            ScheduledExecutorService watchdogs, LongConsumer onBytes) {
        this.http = http;
        this.uri = uri;
        this.expectedSize = expectedSize;
        this.expectedSha256 = expectedSha256.toLowerCase();
        this.settings = settings;
        this.watchdogs = watchdogs;
        this.onBytes = onBytes;
    }

    public long position() {
        return position;
    }

    public int resumes() {
        return resumes;
    }

    public boolean verified() {
        return verified;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (verified) {
            return -1;
        }
        while (true) {
            if (body == null) {
                if (position == expectedSize) {
                    // everything was read before the body was closed: nothing left to fetch
                    verify();
                    return -1;
                }
                connect();
                continue;
            }
            int n;
            try {
                n = body.read(buf, off, len);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("download interrupted");
                }
                broken(stalled ? new IOException("no data for " + settings.stallTimeout(), e) : e);
                continue;
            }
            if (n < 0 && stalled) {
                // our watchdog closed a stalled body; the JDK stream then reports a plain end of stream
                broken(new IOException("no data for " + settings.stallTimeout()));
                continue;
            }
            if (n < 0) {
                closeBody();
                if (position < expectedSize) {
                    throw new BadInputException(DeadLetterReason.SIZE_MISMATCH,
                            "the image ended after " + position + " bytes; the compose metadata says " + expectedSize);
                }
                verify();
                return -1;
            }
            lastProgressNanos = System.nanoTime();
            if (position + n > expectedSize) {
                throw new BadInputException(DeadLetterReason.SIZE_MISMATCH,
                        "the image is longer than the " + expectedSize + " bytes the compose metadata says");
            }
            sha.update(buf, off, n);
            position += n;
            onBytes.accept(n);
            return n;
        }
    }

    /** Reads whatever is left (the decoder may stop before the file's end) and checks size and SHA-256. */
    public void verifyToEnd() throws IOException {
        byte[] sink = new byte[64 * 1024];
        while (read(sink, 0, sink.length) >= 0) {
            // discard: only the digest matters
        }
    }

    private void verify() {
        String got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(expectedSha256)) {
            throw new BadInputException(DeadLetterReason.CHECKSUM_MISMATCH,
                    "SHA-256 of the image is " + got + "; the compose metadata says " + expectedSha256);
        }
        verified = true;
    }

    private void connect() throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).GET().header("Accept-Encoding", "identity");
        if (position > 0) {
            req.header("Range", "bytes=" + position + "-");
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        } catch (IOException e) {
            broken(e);
            return;
        }
        int status = resp.statusCode();
        if (status == 404 || status == 410) {
            resp.body().close();
            throw new BadInputException(DeadLetterReason.IMAGE_NOT_FOUND, "HTTP " + status + " for " + uri);
        }
        if (status >= 500 || status == 408 || status == 429) {
            resp.body().close();
            broken(new IOException("HTTP " + status + " for " + uri));
            return;
        }
        if (status == 416 && position > 0) {
            resp.body().close();
            throw new BadInputException(DeadLetterReason.SIZE_MISMATCH,
                    "the server has no bytes after " + position + "; the compose metadata says " + expectedSize);
        }
        if (status != 200 && status != 206) {
            resp.body().close();
            throw new BadInputException(DeadLetterReason.DOWNLOAD_FAILED, "HTTP " + status + " for " + uri);
        }
        InputStream in = resp.body();
        OptionalLong length = resp.headers().firstValueAsLong("Content-Length");
        if (status == 200) {
            if (length.isPresent() && length.getAsLong() != expectedSize) {
                in.close();
                throw new BadInputException(DeadLetterReason.SIZE_MISMATCH, "the server says the image has "
                        + length.getAsLong() + " bytes; the compose metadata says " + expectedSize);
            }
            if (position > 0) {
                // the server ignored Range: skip what was already read and hashed
                LOG.infof("server ignored Range for %s; skipping %d bytes", uri, position);
                long skip = position;
                while (skip > 0) {
                    long s = in.skip(skip);
                    if (s <= 0) {
                        if (in.read() < 0) {
                            in.close();
                            broken(new IOException("connection ended while skipping to " + position));
                            return;
                        }
                        s = 1;
                    }
                    skip -= s;
                }
            }
        } else {
            long start = resp.headers().firstValue("Content-Range").map(VerifiedDownload::rangeStart).orElse(-1L);
            if (start != position) {
                in.close();
                throw new BadInputException(DeadLetterReason.DOWNLOAD_FAILED,
                        "asked for bytes from " + position + " but the server sent " + resp.headers()
                                .firstValue("Content-Range").orElse("no Content-Range"));
            }
        }
        body = in;
        lastProgressNanos = System.nanoTime();
        stalled = false;
        armWatchdog();
    }

    private void broken(IOException cause) throws IOException {
        closeBody();
        if (resumes >= settings.maxResumes()) {
            throw new DownloadFailedException("download of " + uri + " failed at byte " + position + " after "
                    + resumes + " resumes: " + cause.getMessage(), cause);
        }
        resumes++;
        long backoff = settings.resumeBackoff().toMillis() * Math.min(8, 1L << Math.min(resumes - 1, 3));
        LOG.warnf("download of %s broke at byte %d (%s); resuming with Range in %d ms (%d/%d)", uri, position,
                cause.getMessage(), backoff, resumes, settings.maxResumes());
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download interrupted");
        }
    }

    private void armWatchdog() {
        if (watchdog == null && watchdogs != null) {
            long period = Math.max(200, settings.stallTimeout().toMillis() / 4);
            watchdog = watchdogs.scheduleAtFixedRate(this::checkStall, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void checkStall() {
        InputStream b = body;
        if (b != null && System.nanoTime() - lastProgressNanos > settings.stallTimeout().toNanos()) {
            stalled = true;
            try {
                b.close();
            } catch (IOException e) {
                // closing is all we want
            }
        }
    }

    private void closeBody() {
        InputStream b = body;
        body = null;
        if (b != null) {
            try {
                b.close();
            } catch (IOException e) {
                // the connection is gone anyway
            }
        }
    }

    @Override
    public void close() {
        closeBody();
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    static long rangeStart(String contentRange) {
        // "bytes 100-199/200"
        String s = contentRange.trim();
        if (!s.startsWith("bytes ")) {
            return -1;
        }
        int dash = s.indexOf('-');
        try {
            return dash < 0 ? -1 : Long.parseLong(s.substring(6, dash).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
