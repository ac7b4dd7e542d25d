package org.fedoraproject.fedimg.messaging;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Event ids derived from what caused the event, so a redelivered input produces the same ids and
 * consumers can deduplicate. Name-based UUIDs (v3) over the parts.
 */
public final class EventIds {

    private EventIds() {
    }

    public static String derived(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
