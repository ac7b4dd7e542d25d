package org.fedoraproject.fedimg.tester.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.smallrye.mutiny.Uni;

/**
 * At most {@code fedimg.tester.max-concurrent-per-region} test instances per region at once, whatever
 * the channel concurrency: instance quotas and the blast radius of a bad AMI are per region.
 */
@ApplicationScoped
public class RegionLimiter {

    private final int perRegion;
    private final Map<String, AsyncSemaphore> regions = new ConcurrentHashMap<>();

    RegionLimiter(TesterConfig config) {
        this.perRegion = Math.max(1, config.maxConcurrentPerRegion());
    }

    public <T> Uni<T> withSlot(String region, Supplier<Uni<T>> work) {
        return semaphore(region).withPermit(work);
    }

    /** Jobs holding a slot in the region now. */
    public int inUse(String region) {
        return perRegion - semaphore(region).available();
    }

    /** Jobs waiting for a slot in the region now. */
    public int waiting(String region) {
        return semaphore(region).waiting();
    }

    private AsyncSemaphore semaphore(String region) {
        return regions.computeIfAbsent(region, r -> new AsyncSemaphore(perRegion));
    }
}
