package org.fedoraproject.fedimg.replicator.domain;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * The replicator's events for one {@link AmiTested} (one AMI variant). Ids derive from the input event, the
 * region, the outcome and what it produced, so a redelivery writes the same ids, while a new result for a
 * region (a failed copy that later succeeds) gets a new one.
 */
public final class ReplicationEvents {

    public static final String SERVICE = "replicator";

    private ReplicationEvents() {
    }

    /**
     * The variant is available in the region: public, or (encrypted, or share-only) shared with {@code accounts}.
     *
     * @param note        for the operator, null for none
     * @param deprecation when the AMI is deprecated, null for never
     */
    /** @param shared not public but shared with {@code accounts}: an encrypted variant, or a share-only stream's */
    public static AmiPublished published(AmiTested tested, String region, String amiId, String snapshotId,
            boolean shared, List<String> accounts, String note, Instant deprecation, Instant time) {
        RegionOutcome outcome = shared ? RegionOutcome.SHARED : RegionOutcome.PUBLISHED;
        return new AmiPublished(EventIds.derived(tested.eventId(), "published", region, outcome.name(), amiId),
                tested.imageKey(), tested.composeId(), tested.traceId(), time, tested.image(), tested.ami(), region,
                amiId, snapshotId, !shared, shared ? accounts : List.of(), outcome, note, deprecation);
    }

    /** The region could not be completed, or was refused before anything was copied ({@code amiId} null). */
    public static AmiPublished failed(AmiTested tested, String region, String amiId, String reason, Instant time) {
        return new AmiPublished(
                EventIds.derived(tested.eventId(), "published", region, RegionOutcome.FAILED.name(), String.valueOf(amiId),
                        reason),
                tested.imageKey(), tested.composeId(), tested.traceId(), time, tested.image(), tested.ami(), region,
                amiId, null, false, List.of(), RegionOutcome.FAILED, reason, null);
    }

    /**
     * A variant the publication guard refused: one FAILED record for the base region, not public, its reason
     * starting with {@link Rejections#PREFIX}. It is compacted with the per-region results, so the image
     * aggregate knows the variant is done (REJECTED) even after a restart.
     */
    public static AmiPublished rejected(AmiTested tested, String baseRegion, String reason, Instant time) {
        return new AmiPublished(EventIds.derived(tested.eventId(), "rejected", baseRegion),
                tested.imageKey(), tested.composeId(), tested.traceId(), time, tested.image(), tested.ami(),
                baseRegion, tested.ami().amiId(), tested.ami().snapshotId(), false, List.of(),
                RegionOutcome.FAILED, Rejections.PREFIX + reason, null);
    }

    /** A copy or publication step of the variant in a region, for the bus. */
    public static StageStatus status(AmiTested tested, Stage stage, StageState state, String region, String amiId,
            String reason, Instant time) {
        return new StageStatus(
                EventIds.derived(tested.eventId(), "status", stage.name(), state.name(), region, String.valueOf(amiId)),
                tested.imageKey(), tested.composeId(), tested.traceId(), time, stage, state, SERVICE, tested.image(),
                region, amiId, tested.ami().amiId(), tested.ami().variant(), reason, null, null);
    }
}
