package org.fedoraproject.fedimg.replicator.domain;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * How a refused variant is recorded: one {@link AmiPublished} for the base region with outcome FAILED,
 * not public, and a reason starting with {@link #PREFIX}. It is compacted with the per-region results,
 * so the image aggregate knows the variant is done (REJECTED) even after a restart.
 */
public final class Rejections {

    public static final String PREFIX = "rejected: ";

    private Rejections() {
    }

    public static AmiPublished record(AmiTested tested, String baseRegion, String reason, Instant time) {
        return new AmiPublished(
                EventIds.derived(tested.eventId(), "rejected", baseRegion),
                tested.imageKey(), tested.composeId(), tested.traceId(), time, tested.image(), tested.ami(),
                baseRegion, tested.ami().amiId(), tested.ami().snapshotId(), false, List.of(),
                RegionOutcome.FAILED, PREFIX + reason, null);
    }

    public static boolean isRejection(AmiPublished p) {
        return p.outcome() == RegionOutcome.FAILED && p.reason() != null && p.reason().startsWith(PREFIX);
    }
}
