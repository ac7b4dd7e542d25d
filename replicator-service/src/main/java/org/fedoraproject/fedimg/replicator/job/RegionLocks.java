package org.fedoraproject.fedimg.replicator.job;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * One critical section per region, without blocking a thread: the work of a region waits for the previous
 * holder's to end (item, failure or cancellation). The variants of one image replicate side by side, and two of
 * them must not both see one free public AMI slot in the same region.
 */
final class RegionLocks {

    private final Map<String, AtomicReference<CompletableFuture<Void>>> tails = new ConcurrentHashMap<>();

    <T> Uni<T> inRegion(String region, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> previous = tails
                    .computeIfAbsent(region, r -> new AtomicReference<>(CompletableFuture.completedFuture(null)))
                    .getAndSet(mine);
            return Uni.createFrom().completionStage(previous)
                    .chain(work::get)
                    .onTermination().invoke(() -> mine.complete(null));
        });
    }
}
