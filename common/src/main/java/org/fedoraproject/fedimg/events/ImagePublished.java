package org.fedoraproject.fedimg.events;

import java.time.Instant;
import java.util.List;

/**
 * One aggregate per image once every region is done. Written only after every per-region
 * {@link AmiPublished} of the image has been acknowledged by the broker.
 */
public record ImagePublished(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        ImageSpec image,
        ImageOutcome outcome,
        List<Result> regions,
        String reason) implements FedimgEvent {

    /** One region of one variant; {@code reason} is set for every failure. */
    public record Result(
            String region,
            String variant,
            String amiId,
            String snapshotId,
            boolean isPublic,
            RegionOutcome outcome,
            String reason) {
    }
}
