package org.fedoraproject.fedimg.tester.job;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/** A semaphore whose waiters are Unis, not threads: waiting for a region slot never blocks an event loop. */
final class AsyncSemaphore {

    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private int permits;

    AsyncSemaphore(int permits) {
        this.permits = permits;
    }

    <T> Uni<T> withPermit(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Waiter w = new Waiter();
            return Uni.createFrom().<Void>emitter(em -> acquire(w, em))
                    .chain(() -> work.get())
                    .eventually(() -> finish(w));
        });
    }

    synchronized int available() {
        return permits;
    }

    synchronized int waiting() {
        return waiters.size();
    }

    private void acquire(Waiter w, UniEmitter<? super Void> em) {
        w.emitter = em;
        boolean now;
        synchronized (this) {
            now = permits > 0;
            if (now) {
                permits--;
            } else {
                waiters.add(w);
            }
        }
        if (now) {
            w.grant();
        }
    }

    /** Ends a subscription: gives the permit back if it held one, or leaves the queue if it was still waiting. */
    private void finish(Waiter w) {
        if (w.withdraw()) {
            synchronized (this) {
                waiters.remove(w);
            }
        } else {
            release();
        }
    }

    private void release() {
        while (true) {
            Waiter next;
            synchronized (this) {
                next = waiters.poll();
                if (next == null) {
                    permits++;
                    return;
                }
            }
            if (next.grant()) {
                return;
            }
        }
    }

    private static final class Waiter {
        private final AtomicBoolean decided = new AtomicBoolean();
        volatile UniEmitter<? super Void> emitter;

        /** @return true if the permit went to this waiter */
        boolean grant() {
            if (decided.compareAndSet(false, true)) {
                emitter.complete(null);
                return true;
            }
            return false;
        }

        /** @return true if it had not been granted yet (and now never will be) */
        boolean withdraw() {
            return decided.compareAndSet(false, true);
        }
    }
}
