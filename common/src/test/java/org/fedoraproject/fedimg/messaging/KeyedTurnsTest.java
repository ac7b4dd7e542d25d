package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;

class KeyedTurnsTest {

    private final KeyedTurns turns = new KeyedTurns();
    private final List<String> started = new CopyOnWriteArrayList<>();

    /** Work that records its start and ends when the test completes its emitter. */
    private Uni<String> work(String name, UniEmitter<? super String>[] end) {
        return Uni.createFrom().emitter(e -> {
            started.add(name);
            end[0] = e;
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSecondOfAKeyStartsWhenTheFirstEndsWhileOtherKeysGoOn() {
        UniEmitter<? super String>[] first = new UniEmitter[1];
        UniEmitter<? super String>[] second = new UniEmitter[1];
        UniEmitter<? super String>[] other = new UniEmitter[1];
        var a = turns.run("ami-1", () -> work("first", first)).subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = turns.run("ami-1", () -> work("second", second)).subscribe().withSubscriber(UniAssertSubscriber.create());
        var c = turns.run("ami-2", () -> work("other", other)).subscribe().withSubscriber(UniAssertSubscriber.create());

        assertThat(started).containsExactly("first", "other");
        assertThat(turns.busy("ami-1")).isTrue();

        first[0].complete("one");
        a.assertItem("one");
        assertThat(started).containsExactly("first", "other", "second");
        second[0].complete("two");
        b.assertItem("two");
        assertThat(turns.busy("ami-1")).isFalse();
        assertThat(turns.busy("ami-2")).isTrue();
        other[0].complete("three");
        c.assertItem("three");
        assertThat(turns.busy("ami-2")).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedOrCancelledTurnStillHandsOn() {
        UniEmitter<? super String>[] first = new UniEmitter[1];
        UniEmitter<? super String>[] second = new UniEmitter[1];
        UniEmitter<? super String>[] third = new UniEmitter[1];
        var a = turns.run("k", () -> work("first", first)).subscribe().withSubscriber(UniAssertSubscriber.create());
        var b = turns.run("k", () -> work("second", second)).subscribe().withSubscriber(UniAssertSubscriber.create());
        var c = turns.run("k", () -> work("third", third)).subscribe().withSubscriber(UniAssertSubscriber.create());

        first[0].fail(new IllegalStateException("boom"));
        a.assertFailedWith(IllegalStateException.class, "boom");
        assertThat(started).containsExactly("first", "second");
        b.cancel();
        c.awaitSubscription();
        assertThat(started).containsExactly("first", "second", "third");
        third[0].complete("done");
        c.awaitItem(Duration.ofSeconds(5)).assertItem("done");
        assertThat(turns.busy("k")).isFalse();
    }
}
