package org.fedoraproject.fedimg.replicator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator.ExpectedVariant;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator.ImageRef;
import org.junit.jupiter.api.Test;

class ImageAggregatorTest {

    static final Set<String> REGIONS = Set.of("us-east-1", "eu-west-1", "ap-south-1");
    final AmiTested gp3 = Samples.tested("C-1", "production", Samples.GP3, "ami-a", "snap-a", TestVerdict.PASSED, true);
    final AmiTested std = Samples.tested("C-1", "production", Samples.STANDARD, "ami-b", "snap-b", TestVerdict.PASSED, true);
    final ImageRef ref = new ImageRef(gp3.imageKey(), gp3.composeId(), gp3.traceId(), gp3.image());
    final List<ExpectedVariant> both = List.of(new ExpectedVariant("hvm-gp3", "ami-a"), new ExpectedVariant("hvm-standard", "ami-b"));

    List<AmiPublished> all(AmiTested t, RegionOutcome outcome) {
        return REGIONS.stream().map(r -> Samples.published(t, r, outcome, outcome == RegionOutcome.FAILED ? "boom" : null)).toList();
    }

    @Test
    void nothingUntilEveryRegionOfEveryVariantIsDone() {
        List<AmiPublished> records = new ArrayList<>(all(gp3, RegionOutcome.PUBLISHED));
        assertThat(ImageAggregator.aggregate(ref, both, REGIONS, records)).isEmpty();
        records.add(Samples.published(std, "us-east-1", RegionOutcome.PUBLISHED, null));
        records.add(Samples.published(std, "eu-west-1", RegionOutcome.PUBLISHED, null));
        assertThat(ImageAggregator.aggregate(ref, both, REGIONS, records)).isEmpty();
        records.add(Samples.published(std, "ap-south-1", RegionOutcome.PUBLISHED, null));
        ImagePublished p = ImageAggregator.aggregate(ref, both, REGIONS, records).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        assertThat(p.regions()).hasSize(6);
        assertThat(p.reason()).isNull();
    }

    /** A redelivered event retries a failed region; failing again must not announce the image a second time. */
    @Test
    void aRegionFailingAgainKeepsTheAggregateIdAndSucceedingChangesIt() {
        List<AmiPublished> records = new ArrayList<>(all(gp3, RegionOutcome.PUBLISHED));
        records.removeIf(r -> r.region().equals("ap-south-1"));
        List<AmiPublished> first = new ArrayList<>(records);
        first.add(Samples.published(gp3, "ap-south-1", RegionOutcome.FAILED, "copy ami-1 failed"));
        List<AmiPublished> again = new ArrayList<>(records);
        AmiPublished retried = Samples.published(gp3, "ap-south-1", RegionOutcome.FAILED, "copy ami-2 failed");
        again.add(new AmiPublished("another-id", retried.imageKey(), retried.composeId(), retried.traceId(),
                retried.time().plusSeconds(60), retried.image(), retried.sourceAmi(), retried.region(), null, null, false,
                List.of(), RegionOutcome.FAILED, retried.reason(), null));
        List<AmiPublished> fixed = new ArrayList<>(all(gp3, RegionOutcome.PUBLISHED));
        String id = ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, first).orElseThrow().eventId();
        assertThat(ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, again).orElseThrow().eventId()).isEqualTo(id);
        assertThat(ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, fixed).orElseThrow().eventId()).isNotEqualTo(id);
    }

    @Test
    void oneFailedRegionGivesPartialWithTheRegionAndItsReason() {
        List<AmiPublished> records = new ArrayList<>(all(gp3, RegionOutcome.PUBLISHED));
        records.removeIf(r -> r.region().equals("ap-south-1"));
        records.add(Samples.published(gp3, "ap-south-1", RegionOutcome.FAILED, "CopyImage in ap-south-1 failed (boom)"));
        ImagePublished p = ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, records).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        assertThat(p.reason()).contains("1 of 3").contains("ap-south-1 (hvm-gp3)");
        assertThat(p.regions()).filteredOn(r -> r.outcome() == RegionOutcome.FAILED).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("CopyImage in ap-south-1 failed"));
    }

    @Test
    void noSuccessAtAllIsFailed() {
        ImagePublished p = ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, all(gp3, RegionOutcome.FAILED)).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.FAILED);
    }

    @Test
    void sharedEncryptedRegionsCountAsDone() {
        ImagePublished p = ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, all(gp3, RegionOutcome.SHARED)).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.COMPLETE);
    }

    @Test
    void aRejectedVariantIsDoneWithOneRecordAndAllRejectedIsRejected() {
        AmiTested failedGp3 = Samples.tested("C-1", "production", Samples.GP3, "ami-a", "snap-a", TestVerdict.FAILED, true);
        AmiPublished rejection = ReplicationEvents.rejected(failedGp3, "us-east-1", "test FAILED: exit 1", Instant.now());
        ImagePublished p = ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, List.of(rejection)).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.REJECTED);
        assertThat(p.reason()).contains("test FAILED");
        assertThat(p.regions()).singleElement().satisfies(r -> assertThat(r.isPublic()).isFalse());
    }

    @Test
    void oneVariantRejectedAndTheOtherPublishedIsPartial() {
        AmiTested failedGp3 = Samples.tested("C-1", "production", Samples.GP3, "ami-a", "snap-a", TestVerdict.FAILED, true);
        List<AmiPublished> records = new ArrayList<>(all(std, RegionOutcome.PUBLISHED));
        records.add(ReplicationEvents.rejected(failedGp3, "us-east-1", "test FAILED", Instant.now()));
        ImagePublished p = ImageAggregator.aggregate(ref, both, REGIONS, records).orElseThrow();
        assertThat(p.outcome()).isEqualTo(ImageOutcome.PARTIAL);
    }

    @Test
    void recordsOfAnOlderSourceAmiDoNotCount() {
        AmiTested older = Samples.tested("C-1", "production", Samples.GP3, "ami-old", "snap-a", TestVerdict.PASSED, true);
        assertThat(ImageAggregator.aggregate(ref, List.of(both.get(0)), REGIONS, all(older, RegionOutcome.PUBLISHED))).isEmpty();
    }

    @Test
    void theSameRecordsInAnyOrderGiveTheSameAggregateAndId() {
        List<AmiPublished> records = new ArrayList<>(all(gp3, RegionOutcome.PUBLISHED));
        records.addAll(all(std, RegionOutcome.PUBLISHED));
        ImagePublished a = ImageAggregator.aggregate(ref, both, REGIONS, records).orElseThrow();
        Collections.reverse(records);
        ImagePublished b = ImageAggregator.aggregate(ref, both, REGIONS, records).orElseThrow();
        assertThat(b).isEqualTo(a);
    }

    @Test
    void noExpectedVariantsMeansNoAggregate() {
        assertThat(ImageAggregator.aggregate(ref, List.of(), REGIONS, all(gp3, RegionOutcome.PUBLISHED))).isEmpty();
    }
}
