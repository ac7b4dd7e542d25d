package org.fedoraproject.fedimg.uploader.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.xz.XzIndex;
import org.jboss.logging.Logger;

/**
 * The image's uncompressed size from its xz index, fetched with HTTP Range requests before the download:
 * one request for the last {@value #WINDOW} bytes covers the footer and index of any real image, one more
 * checks the stream header. A missing image (404, 410) is a {@link BadInputException} IMAGE_NOT_FOUND right
 * away, before anything exists in AWS. Anything else unexpected (no Range support, not xz) gives an empty
 * answer: the download itself then reports what is wrong.
 */
public final class ImageTail {

    private static final Logger LOG = Logger.getLogger(ImageTail.class);
    static final int WINDOW = 64 * 1024;

    private final TrustedHttp http;
    private final Duration timeout;

    public ImageTail(TrustedHttp http, Duration timeout) {
        this.http = http;
        this.timeout = timeout;
    }

    /** Blocking; run it off the event loop. Throws {@link BadInputException} when the image is not there. */
    public OptionalLong uncompressedSize(URI uri, long fileSize) {
        long windowStart = Math.max(0, fileSize - WINDOW);
        byte[][] window = {null};
        XzIndex.Ranges ranges = (offset, length) -> {
            if (offset >= windowStart && offset + length <= fileSize) {
                if (window[0] == null) {
                    window[0] = range(uri, windowStart, (int) (fileSize - windowStart));
                }
                byte[] part = new byte[length];
                System.arraycopy(window[0], (int) (offset - windowStart), part, 0, length);
                return part;
            }
            return range(uri, offset, length);
        };
        try {
            return XzIndex.uncompressedSize(fileSize, ranges);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        } catch (IOException e) {
            LOG.infof("no xz index from the end of %s (%s): the snapshot gets the configured size", uri, e.getMessage());
            return OptionalLong.empty();
        }
    }

    private byte[] range(URI uri, long offset, int length) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                .header("Accept-Encoding", "identity")
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        try (InputStream body = resp.body()) {
            if (resp.statusCode() == 404 || resp.statusCode() == 410) {
                throw new BadInputException(DeadLetterReason.IMAGE_NOT_FOUND, "HTTP " + resp.statusCode() + " for " + uri);
            }
            String expected = "bytes " + offset + "-" + (offset + length - 1) + "/";
            if (resp.statusCode() != 206
                    || !resp.headers().firstValue("Content-Range").orElse("").startsWith(expected)) {
                // closing the body unread drops the connection: a server that ignores Range sends no image here
                throw new IOException("HTTP " + resp.statusCode() + " "
                        + resp.headers().firstValue("Content-Range").orElse("without Content-Range"));
            }
            byte[] data = body.readNBytes(length);
            if (data.length != length) {
                throw new IOException("range ended after " + data.length + " of " + length + " bytes");
            }
            return data;
        }
    }
}
