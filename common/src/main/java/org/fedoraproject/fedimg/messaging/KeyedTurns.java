package org.fedoraproject.fedimg.messaging;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * One unit of work per key at a time in this process, the others waiting their turn in order, without blocking a
 * thread. At-least-once delivery hands a service the same thing twice while the first is still being worked on (a
 * rebalance resets a partition to its last commit; a publisher sends a message again): the second waits for the
 * first and then decides for itself, against what the first left behind.
 */
public final class KeyedTurns {

    /** Per key, the completion of the last unit queued; each unit waits for the one before it, whatever its end. */
    private final Map<String, CompletableFuture<Void>> last = new ConcurrentHashMap<>();

    public <T> Uni<T> run(String key, Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> before = last.put(key, mine);
            Uni<Void> turn = before == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(before);
            return turn.chain(ignored -> work.get()).eventually(() -> {
                last.remove(key, mine);
                mine.complete(null);
            });
        });
    }

    /** Whether a unit of this key is running or waiting. */
    public boolean busy(String key) {
        return last.containsKey(key);
    }
}
