package org.fedoraproject.fedimg.messaging;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * A semaphore whose waiters are Unis, not threads: waiting for a job or region slot never blocks an event loop.
 * Waiters are served in order. A waiter cancelled before its turn (a shutdown) withdraws and never takes a permit.
 *
 * <p>Two ways to hold a permit: {@link #withPermit} around a unit of work, or {@link #acquire()} and a later
 * {@link #release()}, for a consumer that takes the next record as soon as a slot is free and finishes the job
 * (and its ack) in the background.
 */
public final class AsyncSemaphore {

    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private final int size;
    private int permits;

    public AsyncSemaphore(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("a semaphore needs at least one permit, not " + permits);
        }
        this.size = permits;
        this.permits = permits;
    }

    /** Runs the work once a permit is free and gives the permit back when it ends, however it ends. */
    public <T> Uni<T> withPermit(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Waiter w = new Waiter();
            return Uni.createFrom().<Void>emitter(em -> acquire(w, em))
                    .chain(() -> work.get())
                    .eventually(() -> finish(w));
        });
    }

    /** Completes once a permit is held; the caller must {@link #release()} it. A cancelled wait takes none. */
    public Uni<Void> acquire() {
        return Uni.createFrom().deferred(() -> {
            Waiter w = new Waiter();
            return Uni.createFrom().<Void>emitter(em -> acquire(w, em)).onCancellation().invoke(() -> {
                if (w.withdraw()) {
                    synchronized (this) {
                        waiters.remove(w);
                    }
                } else {
                    release(); // granted as the cancellation came in: nobody will use it
                }
            });
        });
    }

    public synchronized int available() {
        return permits;
    }

    public synchronized int inUse() {
        return size - permits;
    }

    public synchronized int waiting() {
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

    /** Ends a {@link #withPermit} subscription: gives the permit back if it held one, or leaves the queue. */
    private void finish(Waiter w) {
        if (w.withdraw()) {
            synchronized (this) {
                waiters.remove(w);
            }
        } else {
            release();
        }
    }

    /** Gives a permit back: to the first waiter still waiting, or to the pool. */
    public void release() {
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
