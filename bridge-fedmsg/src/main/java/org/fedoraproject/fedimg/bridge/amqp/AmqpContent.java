package org.fedoraproject.fedimg.bridge.amqp;

import java.util.Locale;
import java.util.Optional;

/**
 * What a compose message must declare about its body on AMQP. fedora-messaging always sends
 * {@code content_type=application/json} and {@code content_encoding=utf-8}; a body declared otherwise (gzip,
 * base64, XML, a charset other than UTF-8) would only be misread as JSON, so it is refused with a reason that
 * names the declaration. An absent property is accepted: older publishers and hand-written messages omit them,
 * and the body is then checked as JSON anyway.
 */
final class AmqpContent {

    private AmqpContent() {
    }

    /** Why a body declared so is refused, or empty when it may be read as UTF-8 JSON. */
    static Optional<String> refusal(String contentType, String contentEncoding) {
        if (contentType != null && !contentType.isBlank()) {
            String[] parts = contentType.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            if (!media.equals("application/json")) {
                return Optional.of("AMQP content_type " + quoted(contentType)
                        + " is not application/json: fedimg reads compose messages as UTF-8 JSON only");
            }
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim().toLowerCase(Locale.ROOT);
                if (param.startsWith("charset=") && !utf8(param.substring(8).replace("\"", ""))) {
                    return Optional.of("AMQP content_type " + quoted(contentType)
                            + " names a charset other than UTF-8");
                }
            }
        }
        if (contentEncoding != null && !contentEncoding.isBlank() && !utf8(contentEncoding)) {
            return Optional.of("AMQP content_encoding " + quoted(contentEncoding)
                    + " is not utf-8: compressed or transfer-encoded bodies are not read");
        }
        return Optional.empty();
    }

    private static boolean utf8(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.equals("utf-8") || n.equals("utf8");
    }

    /** The property as sent, cut and without control characters, for a log line or dead-letter reason. */
    private static String quoted(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
