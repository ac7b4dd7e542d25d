package org.fedoraproject.fedimg.bridge.compose;

/**
 * The compose metadata could not be fetched for a reason that may pass (the host does not resolve or refuses
 * connections, a timeout, a 5xx): retried a few times at once, then parked and retried later with a cap in
 * count and time per message, then dead-lettered as METADATA_UNREACHABLE with this message as the cause.
 */
public class MetadataUnreachable extends TransientFailure {
    public MetadataUnreachable(String message, Throwable cause) {
        super(message, cause);
    }

    public MetadataUnreachable(String message) {
        super(message);
    }
}
