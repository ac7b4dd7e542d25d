package org.fedoraproject.fedimg.bridge.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a compose status message in any of the shapes seen on Fedora's buses:
 * <ul>
 * <li>the plain fedora-messaging body ({@code {"compose_id", "status", ...}});</li>
 * <li>a body wrapping the whole fedmsg envelope ({@code {"msg_id", "topic", "msg": {...}}});</li>
 * <li>the fedmsg-hub / datagrepper shape ({@code {"topic", "body": <envelope>}}).</li>
 * </ul>
 */
public final class ComposeMessageParser {

    /** How every environment's compose status topic ends ({@code org.fedoraproject.prod.pungi.compose.status.change}). */
    static final String TOPIC_SUFFIX = ".pungi.compose.status.change";

    private final Set<String> knownStatuses;

    public ComposeMessageParser(Set<String> knownStatuses) {
        this.knownStatuses = Set.copyOf(knownStatuses);
    }

    /**
     * @param transportId the message id the transport gave (AMQP message_id, fedmsg msg_id), may be null
     * @param topic       the routing key or topic frame, may be null
     * @param raw         the payload bytes, used for a content-derived id when nothing else identifies the message
     */
    public ComposeStatusChange parse(JsonNode root, String transportId, String topic, byte[] raw) {
        if (root == null || !root.isObject()) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "message body is not a JSON object");
        }
        JsonNode node = root;
        String envelopeTopic = null;
        if (node.has("body") && node.get("body").isObject() && !node.has("status")) {
            envelopeTopic = text(node, "topic");
            node = node.get("body");
        }
        String envelopeId = null;
        if (node.has("msg") && node.get("msg").isObject() && !node.has("status")) {
            envelopeId = text(node, "msg_id");
            envelopeTopic = firstNonNull(text(node, "topic"), envelopeTopic);
            node = node.get("msg");
        }
        if (envelopeTopic != null && !envelopeTopic.endsWith(TOPIC_SUFFIX)) {
            // e.g. a validly signed copr or koji message sent on the compose topic: its fields mean something else
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "the envelope's topic '" + envelopeTopic
                    + "' is not a compose status change");
        }
        String composeId = text(node, "compose_id");
        String status = text(node, "status");
        if (status == null) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "compose message has no status");
        }
        if (!knownStatuses.contains(status)) {
            throw new BadInputException(DeadLetterReason.UNKNOWN_STATUS, "unknown compose status '" + status + "'");
        }
        if (composeId == null || composeId.isBlank()) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "compose message has no compose_id");
        }
        String location = text(node, "location");
        String release = firstNonNull(text(node, "release_version"), ReleaseNames.fromComposeId(composeId));
        String messageId = firstNonNull(transportId, envelopeId);
        if (messageId == null) {
            // Nothing identifies the message: its content does, so a replay of the same bytes is still a duplicate.
            messageId = "sha256:" + sha256(raw);
        }
        return new ComposeStatusChange(messageId, firstNonNull(topic, envelopeTopic), composeId, status, location,
                release, text(node, "compose_type"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String firstNonNull(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    static String sha256(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw == null
                    ? "".getBytes(StandardCharsets.UTF_8) : raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
