package org.fedoraproject.fedimg.bridge.domain;

import java.util.Map;

/**
 * A message for Fedora's buses, independent of transport.
 *
 * @param id       a UUID derived from the fedimg event that caused it, so a re-published message keeps its id
 * @param topic    the full topic / routing key, e.g. {@code org.fedoraproject.prod.fedimg.image.upload}
 * @param body     the JSON body, field order as fedimg wrote it
 * @param schema   fedora-messaging schema name ({@code fedora_messaging_schema} header)
 * @param schemaPackage the schema's distribution name, or null
 * @param severity 10, 20, 30 or 40 (DEBUG, INFO, WARNING, ERROR)
 */
public record BusMessage(String id, String topic, Map<String, Object> body, String schema, String schemaPackage,
        int severity) {

    public static final int INFO = 20;
    public static final int WARNING = 30;
    public static final int ERROR = 40;
}
