package org.fedoraproject.fedimg.replicator.domain;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.RegionOutcome;

/**
 * How a refused variant is recognised: its record ({@link ReplicationEvents#rejected}) is FAILED with a reason
 * starting with {@link #PREFIX}.
 */
public final class Rejections {

    public static final String PREFIX = "rejected: ";

    private Rejections() {
    }

    public static boolean isRejection(AmiPublished p) {
        return p.outcome() == RegionOutcome.FAILED && p.reason() != null && p.reason().startsWith(PREFIX);
    }
}
