package org.fedoraproject.fedimg.replicator.statuspage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.junit.jupiter.api.Test;

class PipelineViewTest {

    static final ImageSpec IMAGE = new ImageSpec("http://x/a.raw.xz", "a.raw.xz", "a", "ab".repeat(32), 1, "x86_64",
            "43", "production", "Cloud", "Cloud_Base", 0);
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    static StageStatus status(String key, Stage stage, StageState state, int second) {
        return new StageStatus("s" + second, key, "C", "t", T0.plusSeconds(second), stage, state, "x", IMAGE,
                "us-east-1", null, null, new AmiVariant("hvm", "gp3", false), null,
                state == StageState.PROGRESS ? new StageStatus.Progress(64L << 20, 64L << 20, 100, 28) : null, null);
    }

    @Test
    void imageMovesFromInFlightToRecentWhenItsAggregateArrives() {
        PipelineView view = new PipelineView();
        view.apply(status("C/a", Stage.UPLOAD, StageState.STARTED, 0));
        view.apply(status("C/a", Stage.UPLOAD, StageState.PROGRESS, 5));
        assertThat(view.inFlight()).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(Stage.UPLOAD);
            assertThat(r.since()).isEqualTo(T0);
            assertThat(r.note()).contains("64 MiB read").contains("28 skipped");
        });
        view.apply(status("C/a", Stage.COPY, StageState.COMPLETED, 9));
        view.apply(new ImagePublished("p", "C/a", "C", "t", T0.plusSeconds(10), IMAGE, ImageOutcome.PARTIAL, List.of(),
                "1 region failed"));
        assertThat(view.inFlight()).isEmpty();
        assertThat(view.recent()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo("PARTIAL");
            assertThat(r.note()).isEqualTo("1 region failed");
        });
        // a late status of a finished image does not bring it back
        view.apply(status("C/a", Stage.PUBLISH, StageState.COMPLETED, 8));
        assertThat(view.inFlight()).isEmpty();
    }

    @Test
    void aLifecycleStepIsListedAndDoesNotBringItsImageBack() {
        PipelineView view = new PipelineView();
        view.apply(new ImagePublished("p", "C/a", "C", "t", T0, IMAGE, ImageOutcome.COMPLETE, List.of(), null));
        StageStatus s = status("C/a", Stage.LIFECYCLE, StageState.COMPLETED, 60);
        view.apply(new StageStatus(s.eventId(), s.imageKey(), s.composeId(), s.traceId(), s.time(), s.stage(), s.state(),
                "lifecycle", s.image(), "eu-west-1", "ami-0123", null, s.variant(), "made-private: no longer kept public",
                null, null));
        assertThat(view.inFlight()).isEmpty();
        assertThat(view.lifecycle()).singleElement().satisfies(l -> {
            assertThat(l.step()).isEqualTo("made-private");
            assertThat(l.reason()).isEqualTo("no longer kept public");
            assertThat(l.amiId()).isEqualTo("ami-0123");
            assertThat(l.region()).isEqualTo("eu-west-1");
            assertThat(l.name()).isEqualTo("a");
        });
    }

    @Test
    void failedUploadOrTestEndsTheImage() {
        PipelineView view = new PipelineView();
        view.apply(status("C/b", Stage.TEST, StageState.FAILED, 3));
        assertThat(view.inFlight()).isEmpty();
        assertThat(view.recent()).extracting(PipelineView.ImageRow::outcome).containsExactly("REJECTED");
    }

    @Test
    void keepsABoundedListOfRecentDeadLetters() {
        PipelineView view = new PipelineView();
        for (int i = 0; i < PipelineView.RECENT + 10; i++) {
            view.apply(new DeadLetter("d" + i, null, null, "t", T0.plusSeconds(i), "bridge", "amqp:q",
                    "MALFORMED_MESSAGE", "bad " + i, "x", null));
        }
        assertThat(view.deadLetters()).hasSize(PipelineView.RECENT);
        assertThat(view.deadLetters().get(0).reason()).isEqualTo("bad " + (PipelineView.RECENT + 9));
    }
}
