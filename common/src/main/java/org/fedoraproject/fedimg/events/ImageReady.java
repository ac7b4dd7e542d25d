package org.fedoraproject.fedimg.events;

import java.time.Instant;

/**
 * An image of a finished compose is ready to upload. Produced by the bridge, consumed by the uploader.
 *
 * @param force           re-upload even if AMIs for this image exist (only with a new {@link ImageSpec#respin()})
 * @param sourceMessageId id of the bus message (or manual trigger) that caused it
 */
public record ImageReady(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        ImageSpec image,
        boolean force,
        String sourceMessageId) implements FedimgEvent {
}
