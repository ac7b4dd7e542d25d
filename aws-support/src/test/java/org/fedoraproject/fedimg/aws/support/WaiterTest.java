package org.fedoraproject.fedimg.aws.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.fedoraproject.fedimg.aws.support.Waiter.Condition;
import org.fedoraproject.fedimg.aws.support.Waiter.Limits;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class WaiterTest {

    static final Condition<String> AVAILABLE = new Condition<>("available", s -> s, Set.of("available"),
            Set.of("failed"), s -> "because");
    static final Duration D = Duration.ofMillis(1);

    /** Answers the given states in order (null: not found); counts the polls. */
    static final class Answers implements Supplier<Uni<String>> {
        final Deque<String> states;
        final AtomicInteger polls = new AtomicInteger();

        Answers(String... states) {
            this.states = new ArrayDeque<>();
            Arrays.stream(states).forEach(s -> this.states.add(s == null ? "<null>" : s));
        }

        @Override
        public Uni<String> get() {
            polls.incrementAndGet();
            String s = states.size() > 1 ? states.poll() : states.peek();
            return Uni.createFrom().item("<null>".equals(s) ? null : s);
        }
    }

    static String await(Answers answers, Limits limits) {
        return Waiter.await("ami-1", answers, AVAILABLE, limits).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void notFoundAndPendingAreWaitedThrough() {
        Answers answers = new Answers(null, "pending", "available");
        assertThat(await(answers, Limits.of(5, D))).isEqualTo("available");
        assertThat(answers.polls).hasValue(3);
    }

    /**
     * A streak's answers come {@code confirmDelay} apart, the polls before it {@code delay} apart: a copy that is
     * available needs no two more whole polls to be believed (issue 20). With a 1 h delay, only the confirm delay
     * lets this wait end.
     */
    @Test
    void aStreakIsConfirmedAtItsOwnPace() {
        Answers answers = new Answers("available");
        Limits limits = Limits.of(10, Duration.ofHours(1)).inARow(3, Duration.ofMillis(20));
        assertThat(limits.confirmDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(Limits.of(10, D).inARow(3).confirmDelay()).as("the delay unless told").isEqualTo(D);
        assertThat(await(answers, limits)).isEqualTo("available");
        assertThat(answers.polls).hasValue(3);
        // a streak broken by pending goes back to the delay: the wait does not end within the test's bound
        Limits brokenStreak = Limits.of(10, Duration.ofHours(1)).inARow(2, Duration.ofMillis(20));
        assertThatThrownBy(() -> Waiter.await("ami-1", new Answers("available", "pending", "available"), AVAILABLE,
                brokenStreak).await().atMost(Duration.ofMillis(500)))
                .isInstanceOf(io.smallrye.mutiny.TimeoutException.class);
    }

    @Test
    void aSuccessIsConfirmedSoonerThanAWholeDelay() {
        // a 20 s delay sized to a copy of minutes; three successes in a row would take 40 s at that pace
        Answers answers = new Answers("available");
        long start = System.nanoTime();
        assertThat(Waiter.await("ami-1", answers, AVAILABLE, Limits.of(5, Duration.ofSeconds(20)).inARow(3))
                .await().atMost(Duration.ofSeconds(30))).isEqualTo("available");
        assertThat(answers.polls).hasValue(3);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("two confirming polls at most %s apart", Waiter.CONFIRM_DELAY).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void successesMustComeInARow() {
        Answers answers = new Answers("available", "pending", "available", "available", "available");
        assertThat(await(answers, Limits.of(10, D).inARow(3))).isEqualTo("available");
        assertThat(answers.polls).as("the streak broken by pending starts again").hasValue(5);
    }

    @Test
    void aStreakInProgressUsesNoAttemptsButABrokenOneDoes() {
        // 2 attempts: pending, then a streak of 3 successes completes although it takes polls 2 to 4
        assertThat(await(new Answers("pending", "available"), Limits.of(2, D).inARow(3))).isEqualTo("available");
        // the broken streak's success counts: available, pending → 2 polls spent of 2
        assertThatThrownBy(() -> await(new Answers("available", "pending"), Limits.of(2, D).inARow(2)))
                .isInstanceOf(Waiter.Failed.class).hasMessage("ami-1 not available after 2 checks 1 ms apart (last state: pending)");
    }

    @Test
    void aTerminalStateEndsTheWaitAtOnceWithItsReason() {
        Answers answers = new Answers("pending", "failed", "available");
        assertThatThrownBy(() -> await(answers, Limits.of(10, D)))
                .isInstanceOfSatisfying(Waiter.Failed.class, f -> {
                    assertThat(f.terminal()).isTrue();
                    assertThat(f.lastState()).isEqualTo("failed");
                })
                .hasMessage("ami-1 ended in state failed: because");
        assertThat(answers.polls).hasValue(2);
    }

    @Test
    void theAttemptsBoundTheWait() {
        Answers answers = new Answers((String) null);
        assertThatThrownBy(() -> await(answers, Limits.of(3, Duration.ofMillis(200))))
                .isInstanceOfSatisfying(Waiter.Failed.class, f -> assertThat(f.terminal()).isFalse())
                .hasMessage("ami-1 not available after 3 checks 200 ms apart (last state: not found)");
        assertThat(answers.polls).hasValue(3);
    }

    @Test
    void theDeadlineBoundsTheWaitWhateverTheAttempts() {
        Limits limits = Limits.within(Duration.ofMillis(300), Duration.ofMillis(50));
        assertThat(limits.maxAttempts()).isEqualTo(7);
        assertThatThrownBy(() -> await(new Answers("pending"), new Limits(1000, Duration.ofMillis(50), 1,
                Duration.ofMillis(300))))
                .isInstanceOf(Waiter.Failed.class).hasMessage("ami-1 not available within 300 ms (last state: pending)");
    }

    @Test
    void aFailedPollFailsTheWait() {
        AtomicInteger polls = new AtomicInteger();
        Supplier<Uni<String>> failing = () -> {
            polls.incrementAndGet();
            return Uni.createFrom().failure(new IllegalStateException("AccessDenied"));
        };
        assertThatThrownBy(() -> Waiter.await("ami-1", failing, AVAILABLE, Limits.of(5, D)).await().indefinitely())
                .isInstanceOf(IllegalStateException.class);
        assertThat(polls).hasValue(1);
    }

    @Test
    void forAllIsDoneWhenEveryOneIsAndFailsWhenOneIsTerminal() {
        Condition<List<String>> all = AVAILABLE.forAll();
        assertThat(all.stateOf().apply(List.of("available", "pending"))).isEqualTo("pending");
        assertThat(all.stateOf().apply(List.of("available", "available"))).isEqualTo("available");
        assertThat(all.stateOf().apply(List.of("pending", "failed"))).isEqualTo("failed");
        assertThat(all.stateOf().apply(List.of())).isEqualTo(Waiter.NOT_FOUND);
    }

    @Test
    void limitsAreChecked() {
        assertThatThrownBy(() -> Limits.of(0, D)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.of(1, D).inARow(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.of(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
