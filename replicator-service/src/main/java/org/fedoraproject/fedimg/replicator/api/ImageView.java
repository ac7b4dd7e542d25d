package org.fedoraproject.fedimg.replicator.api;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * An image with every region's AMI. {@code outcome} is the aggregate's (COMPLETE, PARTIAL, FAILED,
 * REJECTED), or IN_PROGRESS while some variant or region has no result yet.
 */
public record ImageView(
        String imageKey,
        String composeId,
        ImageSpec image,
        String outcome,
        String reason,
        Instant time,
        List<ImagePublished.Result> failures,
        List<AmiView> amis) {
}
