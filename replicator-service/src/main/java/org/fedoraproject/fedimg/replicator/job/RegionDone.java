package org.fedoraproject.fedimg.replicator.job;

import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.StageStatus;

/** One region finished (either way): its durable result and the status events to tell the bus. */
public record RegionDone(AmiPublished result, List<StageStatus> statuses) {
}
