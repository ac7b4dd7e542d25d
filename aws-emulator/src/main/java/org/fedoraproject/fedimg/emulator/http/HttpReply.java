package org.fedoraproject.fedimg.emulator.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a front end answers: status, headers and body; the body either in memory or, for large content (an
 * S3 object), {@link Body streamed} to the connection with its length known up front.
 */
public record HttpReply(int status, String contentType, Map<String, String> headers, byte[] body, Body streamed) {

    /** A body written straight to the connection; closed once sent, or when sending failed. */
    public interface Body extends AutoCloseable {
        long length();

        void writeTo(OutputStream out) throws IOException;

        @Override
        default void close() throws IOException {
        }
    }

    public HttpReply(int status, String contentType, Map<String, String> headers, byte[] body) {
        this(status, contentType, headers, body, null);
    }

    public static HttpReply json(int status, String json) {
        return new HttpReply(status, "application/json", new LinkedHashMap<>(), json.getBytes(StandardCharsets.UTF_8));
    }

    static HttpReply xml(int status, String xml) {
        return new HttpReply(status, "text/xml;charset=UTF-8", new LinkedHashMap<>(),
                xml.getBytes(StandardCharsets.UTF_8));
    }

    /** No body (a HEAD answer, a 204): set {@code Content-Length} as a header where it means something. */
    public static HttpReply empty(int status) {
        return new HttpReply(status, "application/xml", new LinkedHashMap<>(), new byte[0]);
    }

    public static HttpReply stream(int status, String contentType, Body body) {
        return new HttpReply(status, contentType, new LinkedHashMap<>(), new byte[0], body);
    }

    public HttpReply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
