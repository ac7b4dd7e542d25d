package org.fedoraproject.fedimg.emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a front end answers: status, headers and body. */
public record HttpReply(int status, String contentType, Map<String, String> headers, byte[] body) {

    public static HttpReply json(int status, String json) {
        return new HttpReply(status, "application/json", new LinkedHashMap<>(), json.getBytes(StandardCharsets.UTF_8));
    }

    static HttpReply xml(int status, String xml) {
        return new HttpReply(status, "text/xml;charset=UTF-8", new LinkedHashMap<>(),
                xml.getBytes(StandardCharsets.UTF_8));
    }

    public HttpReply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
