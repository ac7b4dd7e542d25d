package org.fedoraproject.fedimg.e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The derived ids of docs/events.md ("Derived ids"), written out here from the document rather than taken from
 * the production code, so the audit checks the code against what the contract promises: a name-based UUID,
 * version 3, of the UTF-8 bytes of the parts joined by NUL (MD5, no namespace; the version and variant bits set
 * as RFC 4122 says).
 */
final class DerivedIds {

    private DerivedIds() {
    }

    /** The {@code ImageReady} event id of an image announced by a bus message. */
    static String imageReady(String busMessageId, String imageKey) {
        return uuid3(busMessageId, imageKey);
    }

    /** The id of the bus message the bridge sends for a fedimg event on a topic (status or successor message). */
    static String busMessage(String eventId, String topic) {
        return uuid3(eventId, topic);
    }

    static String uuid3(String... parts) {
        byte[] md5;
        try {
            md5 = MessageDigest.getInstance("MD5").digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md5[6] = (byte) ((md5[6] & 0x0f) | 0x30);
        md5[8] = (byte) ((md5[8] & 0x3f) | 0x80);
        String hex = HexFormat.of().formatHex(md5);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }
}
