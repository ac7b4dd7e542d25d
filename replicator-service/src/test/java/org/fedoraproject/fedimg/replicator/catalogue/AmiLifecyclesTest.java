package org.fedoraproject.fedimg.replicator.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.catalogue.AmiLifecycles.State;
import org.junit.jupiter.api.Test;

/** An AMI's lifecycle state: its furthest announced step, else its publication and deprecation. */
class AmiLifecyclesTest {

    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    static final AmiTested TESTED = Samples.tested("Fedora-Cloud-41-20261120.n.0", "nightly", Samples.GP3, "ami-src", "snap-src",
            TestVerdict.PASSED, true);

    static StageStatus step(AmiPublished p, String reason) {
        return new StageStatus("l-" + reason.hashCode(), p.imageKey(), p.composeId(), "t", NOW, Stage.LIFECYCLE,
                StageState.COMPLETED, "lifecycle", p.image(), p.region(), p.amiId(), null, null, reason, null, null);
    }

    static AmiPublished deprecatedAt(AmiPublished p, Instant at) {
        return new AmiPublished(p.eventId(), p.imageKey(), p.composeId(), p.traceId(), p.time(), p.image(), p.sourceAmi(),
                p.region(), p.amiId(), p.snapshotId(), p.isPublic(), p.sharedWith(), p.outcome(), p.reason(), at);
    }

    @Test
    void publishedAmisArePublicOrSharedUntilDeprecatedAndFailedRegionsHaveNone() {
        AmiLifecycles l = new AmiLifecycles();
        AmiPublished pub = Samples.published(TESTED, "eu-west-1", RegionOutcome.PUBLISHED, null);
        assertThat(l.state(pub, NOW)).isEqualTo(State.PUBLIC);
        assertThat(l.state(Samples.published(TESTED, "eu-west-1", RegionOutcome.SHARED, null), NOW)).isEqualTo(State.SHARED);
        assertThat(l.state(deprecatedAt(pub, NOW.minusSeconds(1)), NOW)).isEqualTo(State.DEPRECATED);
        assertThat(l.state(deprecatedAt(pub, NOW.plusSeconds(60)), NOW)).isEqualTo(State.PUBLIC);
        assertThat(l.state(Samples.published(TESTED, "eu-west-1", RegionOutcome.FAILED, "boom"), NOW)).isNull();
    }

    @Test
    void theFurthestStepWinsWhateverTheOrderItIsReadIn() {
        AmiLifecycles l = new AmiLifecycles();
        AmiPublished pub = Samples.published(TESTED, "eu-west-1", RegionOutcome.PUBLISHED, null);
        AmiPublished other = Samples.published(TESTED, "us-west-2", RegionOutcome.PUBLISHED, null);
        l.apply(step(pub, "made-private: room under the public AMI quota"));
        assertThat(l.state(pub, NOW)).isEqualTo(State.PRIVATE);
        l.apply(step(pub, "deregistered: 60 days old"));
        l.apply(step(pub, "disabled: 30 days old")); // a replayed older step
        assertThat(l.state(pub, NOW)).isEqualTo(State.DEREGISTERED);
        assertThat(l.state(other, NOW)).as("another region's copy").isEqualTo(State.PUBLIC);
        for (StageStatus ignored : List.of(step(other, "something else"))) {
            l.apply(ignored);
        }
        assertThat(l.state(other, NOW)).isEqualTo(State.PUBLIC);
    }
}
