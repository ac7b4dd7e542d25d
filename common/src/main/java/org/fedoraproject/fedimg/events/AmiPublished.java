package org.fedoraproject.fedimg.events;

import java.time.Instant;
import java.util.List;

/**
 * The result for one AMI variant in one region. Produced by the replicator on the compacted
 * {@code fedimg.amis.published} topic with key {@code imageKey#variant@region}.
 */
public record AmiPublished(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        ImageSpec image,
        AmiRef sourceAmi,
        String region,
        String amiId,
        String snapshotId,
        boolean isPublic,
        List<String> sharedWith,
        RegionOutcome outcome,
        String reason,
        Instant deprecationTime) implements FedimgEvent {

    @Override
    public String kafkaKey() {
        return ImageKeys.regionKey(imageKey, sourceAmi.variant().slug(), region);
    }
}
