package org.fedoraproject.fedimg.aws.support;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * The one way fedimg waits for EC2: describe the resource, every {@code delay}, until it is in a success
 * state a number of times in a row, or in a terminal state, or the attempts (or the deadline) are used up.
 *
 * <p>Several successes in a row, because EC2 is eventually consistent: right after one endpoint says
 * "available", the next call may reach one that still says "pending" or does not know the id (Bottlerocket's
 * pubsys waits the same way, 2 s apart). The confirming polls come {@code confirmDelay} apart (by default at
 * most {@link #CONFIRM_DELAY}), not a whole {@code delay}: the delay is sized to how long the resource takes (15 s
 * for a copy of many minutes), the confirmations only need other endpoints to answer, and a streak of three at
 * 15 s added 30 s to every copy on the
 * critical path (issue 20). A poll that finds nothing (the describe call's item is null, e.g. a NotFound
 * the caller turned into null) counts as pending. A success streak does not use up attempts: it is reset by
 * any other answer. Failed polls fail the wait: the SDK already retried throttling and 5xx, and the caller
 * filters the errors that mean "not there yet".
 *
 * <p>Non-blocking: the pause between polls is Mutiny's scheduler, never a sleeping thread.
 */
public final class Waiter {

    /** The most time between the polls that confirm a success, unless a wait is told otherwise. */
    public static final Duration CONFIRM_DELAY = Duration.ofSeconds(2);

    /** The state of a poll that found nothing. */
    public static final String NOT_FOUND = "not found";

    private Waiter() {
    }

    /**
     * @param maxAttempts     polls that may find the resource not yet done
     * @param delay           pause between polls
     * @param successesInARow success answers needed one after the other
     * @param deadline        wall-clock bound on the whole wait, or null for none
     * @param confirmDelay    pause between the answers of a success streak: the resource is done already, the
     *                        streak only makes sure EC2's endpoints agree, so it need not wait a whole {@code delay}
     *                        per answer (3 answers 15 s apart added 30 s to every copy); at most {@code delay};
     *                        null: {@link #CONFIRM_DELAY}
     */
    public record Limits(int maxAttempts, Duration delay, int successesInARow, Duration deadline,
            Duration confirmDelay) {

        public Limits {
            Objects.requireNonNull(delay, "delay");
            // never slower than the polls before the streak: a confirmation waits for other endpoints, not the resource
            Duration asked = confirmDelay != null ? confirmDelay : CONFIRM_DELAY;
            confirmDelay = asked.compareTo(delay) < 0 ? asked : delay;
            if (maxAttempts < 1 || successesInARow < 1 || delay.isNegative() || confirmDelay.isNegative()) {
                throw new IllegalArgumentException("a wait needs at least one attempt and one success, and delays "
                        + "that are not negative: " + maxAttempts + " attempts, " + successesInARow + " successes, "
                        + delay + ", " + confirmDelay);
            }
        }

        /** The answers of a success streak the smaller of {@code delay} and {@link #CONFIRM_DELAY} apart. */
        public Limits(int maxAttempts, Duration delay, int successesInARow, Duration deadline) {
            this(maxAttempts, delay, successesInARow, deadline, null);
        }

        public static Limits of(int maxAttempts, Duration delay) {
            return new Limits(maxAttempts, delay, 1, null);
        }

        /** At most {@code deadline}, polling every {@code delay}: enough attempts to fill the deadline. */
        public static Limits within(Duration deadline, Duration delay) {
            long attempts = deadline.toMillis() / Math.max(1, delay.toMillis()) + 1;
            return new Limits((int) Math.min(Integer.MAX_VALUE, Math.max(2, attempts)), delay, 1, deadline);
        }

        public Limits inARow(int successes) {
            return new Limits(maxAttempts, delay, successes, deadline, confirmDelay);
        }

        /** {@code successes} answers in a row, {@code confirmDelay} apart once the first one says done. */
        public Limits inARow(int successes, Duration confirmDelay) {
            return new Limits(maxAttempts, delay, successes, deadline, Objects.requireNonNull(confirmDelay));
        }
    }

    /**
     * What done means for a kind of resource.
     *
     * @param goal     the success in words ("available"), for messages
     * @param stateOf  the resource's state as EC2 spells it
     * @param success  states that count as done
     * @param terminal states from which the resource never gets there: the wait fails at once
     * @param detail   why a resource is in a terminal state (EC2's state reason), or null
     */
    public record Condition<T>(String goal, Function<T, String> stateOf, Set<String> success, Set<String> terminal,
            Function<T, String> detail) {

        /**
         * The same condition over several resources of one call: done when every one is, terminal as soon as
         * one is. An empty answer is "not found".
         */
        public Condition<List<T>> forAll() {
            Function<List<T>, String> state = items -> {
                if (items.isEmpty()) {
                    return NOT_FOUND;
                }
                List<String> states = items.stream().map(stateOf).toList();
                return states.stream().filter(terminal::contains).findFirst()
                        .or(() -> states.stream().filter(s -> !success.contains(s)).findFirst())
                        .orElse(states.get(0));
            };
            return new Condition<>(goal, state, success, terminal, null);
        }
    }

    /** The wait ended without success: a terminal state, or no success within the limits. */
    public static final class Failed extends RuntimeException {
        private final String lastState;
        private final boolean terminal;

        Failed(String message, String lastState, boolean terminal) {
            super(message);
            this.lastState = lastState;
            this.terminal = terminal;
        }

        /** The state the last poll saw ({@link #NOT_FOUND} if it found nothing). */
        public String lastState() {
            return lastState;
        }

        /** True when the resource reached a state it never leaves; false when the limits ran out. */
        public boolean terminal() {
            return terminal;
        }
    }

    /**
     * Polls until {@code condition} holds.
     *
     * @param what what is waited for, for messages ("copy ami-1 in eu-west-1")
     * @param poll one describe call; resubscribed for every poll; a null item means "not found"
     * @return the resource as the last successful poll described it
     */
    public static <T> Uni<T> await(String what, Supplier<Uni<T>> poll, Condition<T> condition, Limits limits) {
        AtomicReference<String> last = new AtomicReference<>("not checked");
        Uni<T> wait = poll(what, poll, condition, limits, 1, 0, last);
        if (limits.deadline() == null) {
            return wait;
        }
        return wait.ifNoItem().after(limits.deadline()).failWith(() -> new Failed(what + " not " + condition.goal()
                + " within " + format(limits.deadline()) + " (last state: " + last.get() + ")", last.get(), false));
    }

    private static <T> Uni<T> poll(String what, Supplier<Uni<T>> poll, Condition<T> condition, Limits limits,
            int attempt, int streak, AtomicReference<String> last) {
        return Uni.createFrom().deferred(poll::get).flatMap(item -> {
            String state = item == null ? NOT_FOUND : condition.stateOf().apply(item);
            last.set(state);
            if (condition.success().contains(state)) {
                return streak + 1 >= limits.successesInARow() ? Uni.createFrom().item(item)
                        : next(what, poll, condition, limits, attempt + 1, streak + 1, last, limits.confirmDelay());
            }
            if (condition.terminal().contains(state)) {
                String why = item == null || condition.detail() == null ? null : condition.detail().apply(item);
                return Uni.createFrom().failure(new Failed(what + " ended in state " + state
                        + (why == null || why.isBlank() ? "" : ": " + why), state, true));
            }
            // the checks of a broken success streak count as attempts, the streak in progress does not
            if (attempt >= limits.maxAttempts()) {
                return Uni.createFrom().failure(new Failed(what + " not " + condition.goal() + " after " + attempt
                        + " checks " + format(limits.delay()) + " apart (last state: " + state + ")", state, false));
            }
            return next(what, poll, condition, limits, attempt + 1, 0, last, limits.delay());
        });
    }

    private static <T> Uni<T> next(String what, Supplier<Uni<T>> poll, Condition<T> condition, Limits limits,
            int attempt, int streak, AtomicReference<String> last, Duration delay) {
        Uni<Void> pause = delay.isZero() ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(delay);
        return pause.flatMap(x -> poll(what, poll, condition, limits, attempt, streak, last));
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
