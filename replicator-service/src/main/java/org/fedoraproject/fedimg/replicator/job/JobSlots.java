package org.fedoraproject.fedimg.replicator.job;

import java.util.ArrayDeque;
import java.util.Queue;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * A non-blocking semaphore for replication jobs: {@link #acquire()} completes when a slot is free, so
 * the consumer stops pulling records while {@code max} jobs run, without blocking a thread.
 */
public final class JobSlots {

    private final int max;
    private int used;
    private final Queue<UniEmitter<? super Void>> waiting = new ArrayDeque<>();

    public JobSlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("fedimg.replicator.jobs.max-concurrent must be at least 1");
        }
        this.max = max;
    }

    public Uni<Void> acquire() {
        return Uni.createFrom().emitter(e -> {
            boolean now;
            synchronized (this) {
                now = used < max;
                if (now) {
                    used++;
                } else {
                    waiting.add(e);
                    // A waiter cancelled (shutdown) must not be handed a slot it will never release.
                    e.onTermination(() -> {
                        synchronized (this) {
                            waiting.remove(e);
                        }
                    });
                }
            }
            if (now) {
                e.complete(null);
            }
        });
    }

    public void release() {
        UniEmitter<? super Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
            }
        }
        if (next != null) {
            next.complete(null);
        }
    }

    public synchronized int inUse() {
        return used;
    }
}
