package org.fedoraproject.fedimg.tester.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.tester.aws.TestResources;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.InstanceLimit;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * At most {@code fedimg.tester.max-concurrent-per-region} test instances per region at once, whatever the
 * channel concurrency and however many tester replicas run: instance quotas and the blast radius of a bad AMI are
 * per region. In this process a slot per job bounds its own jobs; across processes EC2 is the shared count: a
 * launch waits until fewer than the limit of test instances are alive in the region ({@link #awaitRoom}), and a
 * launch that lost a race with another replica gives way ({@link #mayProceed}).
 */
@ApplicationScoped
public class RegionLimiter {

    private static final Logger LOG = Logger.getLogger(RegionLimiter.class);
    /** Longest pause between two looks at EC2 while a region is full. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final int perRegion;
    private final Duration poll;
    private final TestResources resources;
    private final Map<String, AsyncSemaphore> regions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> waitingForRoom = new ConcurrentHashMap<>();

    RegionLimiter(TesterConfig config, TestResources resources) {
        this.perRegion = Math.max(1, config.maxConcurrentPerRegion());
        this.poll = config.timeouts().pollInterval();
        this.resources = resources;
    }

    /**
     * Completes once EC2 shows fewer than the limit of test instances alive in the region, counting those of
     * every tester (other replicas, a crashed process's not yet cleaned up). Bounded by the job's deadline.
     */
    public Uni<Void> awaitRoom(String region, String amiId) {
        AtomicInteger waiting = waitingForRoom.computeIfAbsent(region, r -> new AtomicInteger());
        AtomicBoolean counted = new AtomicBoolean();
        return Uni.createFrom().deferred(() -> resources.aliveInstances(region))
                .chain(alive -> InstanceLimit.room(alive, amiId, perRegion) ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new RegionFull(region, alive.size())))
                .onFailure(RegionFull.class).invoke(f -> {
                    if (counted.compareAndSet(false, true)) {
                        waiting.incrementAndGet();
                    }
                    LOG.debug(f.getMessage());
                })
                .onFailure(RegionFull.class).retry().withBackOff(poll, MAX_BACKOFF).withJitter(0.5).indefinitely()
                .eventually(() -> {
                    if (counted.get()) {
                        waiting.decrementAndGet();
                    }
                });
    }

    /** Jobs of this process waiting because EC2 shows the region full (every tester's instances counted). */
    public int waitingForRoom(String region) {
        return waitingForRoom.getOrDefault(region, new AtomicInteger()).get();
    }

    /** After a launch: whether the instance is within the limit, or was launched at once with others beyond it. */
    public Uni<Boolean> mayProceed(String region, String amiId, String instanceId, Instant launchTime) {
        return resources.aliveInstances(region).map(alive -> InstanceLimit.mayProceed(alive,
                new InstanceLimit.Alive(instanceId, amiId, launchTime), perRegion));
    }

    private static final class RegionFull extends RuntimeException {
        RegionFull(String region, int alive) {
            super(alive + " test instances alive in " + region + ": waiting for room", null, false, false);
        }
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
