package org.fedoraproject.fedimg.uploader.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The largest heap left after any garbage collection: what the program really keeps alive, unlike the
 * heap's peak, which only shows how far the collector let it grow.
 */
final class LiveHeap {

    private final AtomicLong maxBytes = new AtomicLong();

    static LiveHeap watch() {
        LiveHeap live = new LiveHeap();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                            .from((CompositeData) n.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                            .mapToLong(MemoryUsage::getUsed).sum();
                    live.maxBytes.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
        return live;
    }

    long maxMiB() {
        return maxBytes.get() >> 20;
    }
}
