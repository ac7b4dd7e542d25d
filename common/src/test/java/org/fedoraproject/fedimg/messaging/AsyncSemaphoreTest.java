package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

class AsyncSemaphoreTest {

    @Test
    void atMostThePermitsRunAndWaitersGoInOrder() {
        AsyncSemaphore sem = new AsyncSemaphore(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<UniEmitter<? super String>> jobs = new ArrayList<>();
        List<String> done = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "job" + i;
            sem.withPermit(() -> Uni.createFrom().<String>emitter(em -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                jobs.add(em);
            })).subscribe().with(done::add);
        }
        assertThat(jobs).hasSize(2);
        assertThat(sem.waiting()).isEqualTo(3);
        while (done.size() < 5) {
            UniEmitter<? super String> next = jobs.get(done.size());
            running.decrementAndGet();
            next.complete("job" + done.size());
        }
        assertThat(peak.get()).isEqualTo(2);
        assertThat(done).containsExactly("job0", "job1", "job2", "job3", "job4");
        assertThat(sem.available()).isEqualTo(2);
    }

    @Test
    void aCancelledWaiterDoesNotTakeOrLeakAPermit() {
        AsyncSemaphore sem = new AsyncSemaphore(1);
        List<UniEmitter<? super String>> jobs = new ArrayList<>();
        sem.withPermit(() -> Uni.createFrom().<String>emitter(jobs::add)).subscribe().with(x -> { });
        Cancellable queued = sem.withPermit(() -> Uni.createFrom().<String>emitter(jobs::add)).subscribe().with(x -> { });
        List<String> third = new ArrayList<>();
        sem.withPermit(() -> Uni.createFrom().item("third")).subscribe().with(third::add);
        queued.cancel();
        assertThat(sem.waiting()).isEqualTo(1);
        jobs.get(0).complete("first");
        assertThat(third).containsExactly("third");
        assertThat(jobs).hasSize(1);
        assertThat(sem.available()).isEqualTo(1);
    }

    @Test
    void aFailingJobGivesItsPermitBack() {
        AsyncSemaphore sem = new AsyncSemaphore(1);
        List<Throwable> failures = new ArrayList<>();
        sem.withPermit(() -> Uni.createFrom().<String>failure(new IllegalStateException("boom")))
                .subscribe().with(x -> { }, failures::add);
        assertThat(failures).hasSize(1);
        assertThat(sem.available()).isEqualTo(1);
    }

    @Test
    void acquireHoldsAPermitUntilReleaseAndACancelledWaitTakesNone() {
        AsyncSemaphore sem = new AsyncSemaphore(1);
        List<String> granted = new ArrayList<>();
        sem.acquire().subscribe().with(x -> granted.add("first"));
        Cancellable second = sem.acquire().subscribe().with(x -> granted.add("second"));
        sem.acquire().subscribe().with(x -> granted.add("third"));
        assertThat(granted).containsExactly("first");
        assertThat(sem.inUse()).isEqualTo(1);
        second.cancel();
        sem.release();
        assertThat(granted).containsExactly("first", "third");
        sem.release();
        assertThat(sem.available()).isEqualTo(1);
        assertThat(sem.waiting()).isZero();
    }
}
