package org.fedoraproject.fedimg.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.junit.jupiter.api.Test;

class ComposeReplayTest {

    static ImageReady event(String id, String compose, String file, int respin) {
        ImageSpec image = new ImageSpec("http://x/" + file, file, file.replace(".raw.xz", ""), "ab".repeat(32), 10,
                "x86_64", "43", "production", "Cloud", "Cloud_Base", respin);
        return new ImageReady(id, compose + "/" + file, compose, "t-" + id, Instant.EPOCH, image, respin > 0, "m");
    }

    private final List<ImageReady> history = List.of(
            event("a1", "C1", "a.raw.xz", 0),
            event("b1", "C1", "b.raw.xz", 0),
            event("o1", "C2", "o.raw.xz", 0),
            event("a1", "C1", "a.raw.xz", 0)); // a redelivery

    @Test
    void withoutForceResendsEachImageUnchanged() {
        List<ImageReady> plan = ComposeReplay.plan(history, "C1", false, OptionalInt.empty());
        assertThat(plan).containsExactly(history.get(0), history.get(1));
    }

    @Test
    void forceUsesTheNextRespinWithNewDeterministicIds() {
        List<ImageReady> plan = ComposeReplay.plan(history, "C1", true, OptionalInt.empty());
        assertThat(plan).allSatisfy(e -> {
            assertThat(e.force()).isTrue();
            assertThat(e.image().respin()).isEqualTo(1);
        });
        assertThat(plan).extracting(ImageReady::eventId).doesNotContain("a1", "b1");
        assertThat(ComposeReplay.plan(history, "C1", true, OptionalInt.empty())).extracting(ImageReady::eventId)
                .isEqualTo(plan.stream().map(ImageReady::eventId).toList());
    }

    @Test
    void forceNeverReusesARespin() {
        List<ImageReady> later = new java.util.ArrayList<>(history);
        later.add(event("a2", "C1", "a.raw.xz", 1));
        assertThat(ComposeReplay.plan(later, "C1", true, OptionalInt.empty()))
                .filteredOn(e -> e.imageKey().endsWith("a.raw.xz")).extracting(e -> e.image().respin()).containsExactly(2);
        assertThatThrownBy(() -> ComposeReplay.plan(later, "C1", true, OptionalInt.of(1)))
                .hasMessageContaining("already used");
    }

    @Test
    void unknownComposeHasNothingToReplay() {
        assertThat(ComposeReplay.plan(history, "C9", false, OptionalInt.empty())).isEmpty();
    }
}
