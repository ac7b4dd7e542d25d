package org.fedoraproject.fedimg.emulator.state;

import java.util.Set;

import org.fedoraproject.fedimg.emulator.Quota;

/** How much of each AMI quota a region uses, counted as AWS counts it (called under the engine's lock). */
public final class QuotaUsage {

    /** The AMI states the AMIs quota counts (AWS also counts AMIs in the Recycle Bin, not modelled here). */
    private static final Set<String> COUNTED_STATES = Set.of("pending", "available", "disabled");

    private QuotaUsage() {
    }

    /** Public AMIs in the region. */
    public static long publicAmis(RegionState region) {
        return region.images.values().stream().filter(Model.AmiRec::isPublic).count();
    }

    /** Pending, available and disabled AMIs in the region. */
    public static long amis(RegionState region, LifeCycles life) {
        return region.images.values().stream().filter(a -> COUNTED_STATES.contains(life.imageState(a))).count();
    }

    /**
     * The region's use of a quota. AMI sharing is a quota per AMI: its use in a region is the most entities any
     * one AMI there is shared with.
     */
    public static long used(Quota quota, RegionState region, LifeCycles life) {
        return switch (quota) {
            case PUBLIC_AMIS -> publicAmis(region);
            case AMIS -> amis(region, life);
            case AMI_SHARING -> region.images.values().stream().mapToLong(Model.AmiRec::sharedEntities).max()
                    .orElse(0);
        };
    }
}
