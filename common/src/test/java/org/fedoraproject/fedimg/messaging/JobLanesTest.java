package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class JobLanesTest {

    private final List<String> started = new ArrayList<>();
    private final List<CompletableFuture<Void>> running = new ArrayList<>();

    private Uni<Void> job(String name) {
        started.add(name);
        CompletableFuture<Void> end = new CompletableFuture<>();
        running.add(end);
        return Uni.createFrom().completionStage(end);
    }

    @Test
    void jobsOfDifferentLanesRunSideBySideUpToTheLimitAndTheChannelWaitsForASlot() {
        JobLanes lanes = new JobLanes(2);
        List<String> taken = new ArrayList<>();
        for (String variant : List.of("gp3", "standard", "gp3-encrypted")) {
            lanes.start("ami-" + variant, () -> job(variant)).subscribe().with(x -> taken.add(variant));
        }
        assertThat(started).as("two jobs at once").containsExactly("gp3", "standard");
        assertThat(taken).as("the channel takes no third record while both slots are busy")
                .containsExactly("gp3", "standard");
        running.get(1).complete(null);
        assertThat(taken).containsExactly("gp3", "standard", "gp3-encrypted");
        assertThat(started).containsExactly("gp3", "standard", "gp3-encrypted");
        assertThat(lanes.inFlight()).isEqualTo(2);
        running.get(0).complete(null);
        running.get(2).completeExceptionally(new IllegalStateException("output not written"));
        assertThat(lanes.inFlight()).as("a failed job gives its slot back").isZero();
    }

    @Test
    void aSecondJobOfALaneWaitsForTheFirstHoldingItsSlotWhileOtherLanesProceed() {
        JobLanes lanes = new JobLanes(4);
        lanes.start("image-a", () -> job("first")).subscribe().with(x -> { });
        lanes.start("image-a", () -> job("again")).subscribe().with(x -> { });
        lanes.start("image-b", () -> job("other")).subscribe().with(x -> { });
        assertThat(started).containsExactly("first", "other");
        assertThat(lanes.inFlight()).as("the waiting job holds its slot").isEqualTo(3);
        running.get(0).complete(null);
        assertThat(started).containsExactly("first", "other", "again");
        running.get(1).complete(null);
        running.get(2).complete(null);
        assertThat(lanes.inFlight()).isZero();
        lanes.start("image-a", () -> job("respin")).subscribe().with(x -> { });
        assertThat(started).as("a finished lane does not hold up the next job").endsWith("respin");
    }
}
