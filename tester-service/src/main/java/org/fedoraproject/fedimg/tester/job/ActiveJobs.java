package org.fedoraproject.fedimg.tester.job;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * The AMIs this process is testing right now, one job per AMI at a time. Kafka hands a record to this process
 * again while its first delivery is still being worked on (a rebalance resets the position to the last commit), so
 * the second job waits for the first and then finds its verdict recorded. The sweep leaves active AMIs alone.
 */
@ApplicationScoped
public class ActiveJobs {

    /** Per AMI, the completion of the last job queued for it; each job waits for the one before. */
    private final Map<String, CompletableFuture<Void>> last = new ConcurrentHashMap<>();

    public <T> Uni<T> exclusive(String amiId, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> before = last.put(amiId, mine);
            Uni<Void> turn = before == null ? Uni.createFrom().voidItem()
                    : Uni.createFrom().completionStage(before);
            return turn.chain(ignored -> work.get()).eventually(() -> {
                mine.complete(null);
                last.remove(amiId, mine);
            });
        });
    }

    public boolean isActive(String amiId) {
        return last.containsKey(amiId);
    }
}
