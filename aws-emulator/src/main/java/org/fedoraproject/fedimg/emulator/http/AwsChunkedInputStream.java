package org.fedoraproject.fedimg.emulator.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes the SigV4 streaming body ({@code Content-Encoding: aws-chunked}, {@code x-amz-content-sha256:
 * STREAMING-...}): {@code hex-size[;chunk-signature=...]\r\n data \r\n ... 0[;...]\r\n [trailers] \r\n}.
 * Chunk signatures are not verified (the emulator does not check signatures at all).
 */
final class AwsChunkedInputStream extends InputStream {

    private final InputStream in;
    private long remaining;
    private boolean done;
    private final Map<String, String> trailers = new LinkedHashMap<>();

    AwsChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (remaining == 0) {
            nextChunk();
            if (done) {
                return -1;
            }
        }
        int n = in.read(buf, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("aws-chunked body ended inside a chunk");
        }
        remaining -= n;
        if (remaining == 0) {
            readLine(); // CRLF after the chunk data
        }
        return n;
    }

    private void nextChunk() throws IOException {
        String header = readLine();
        while (header.isEmpty()) {
            header = readLine();
        }
        int semi = header.indexOf(';');
        String size = (semi < 0 ? header : header.substring(0, semi)).trim();
        try {
            remaining = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("aws-chunked chunk size is not hex: " + size);
        }
        if (remaining == 0) {
            // Trailers (e.g. x-amz-checksum-crc32) until an empty line or the end of the stream.
            for (String line; (line = readLineOrNull()) != null && !line.isEmpty();) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    trailers.put(name, line.substring(colon + 1).trim());
                }
            }
            done = true;
        }
    }

    /** The trailers, lower-case names; complete once the stream has ended. */
    Map<String, String> trailers() {
        return trailers;
    }

    private String readLine() throws IOException {
        String line = readLineOrNull();
        if (line == null) {
            throw new EOFException("aws-chunked body ended early");
        }
        return line;
    }

    private String readLineOrNull() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
            if (sb.length() > 8192) {
                throw new IOException("aws-chunked header line too long");
            }
        }
        return sb.length() == 0 ? null : new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
    }
}
