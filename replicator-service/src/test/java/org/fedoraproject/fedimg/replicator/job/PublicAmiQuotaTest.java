package org.fedoraproject.fedimg.replicator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.lifecycle.domain.RetentionPolicy;
import org.fedoraproject.fedimg.lifecycle.domain.Stream;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings.QuotaSettings;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.fedoraproject.fedimg.replicator.support.MutableClock;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Quota-aware publishing, on the engine with AWS's default public AMI quota of 5 (read through the emulator's
 * Service Quotas API, as on AWS) in three regions: a nightly makes room by demoting the oldest nightly its policy
 * no longer keeps; a release is never demoted, and a region full of releases fails with the quota reason.
 */
class PublicAmiQuotaTest {

    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    static final Streams STREAMS = new Streams(List.of(
            new Stream("nightly", "nightly", Optional.empty(), new RetentionPolicy(1, Optional.empty(), Duration.ZERO,
                    Optional.empty(), Optional.empty(), Duration.ofDays(14), true)),
            new Stream("production", "production", Optional.empty(), RetentionPolicy.forever())));

    static AwsEmulator emulator;
    static AwsClients aws;
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    final List<StageStatus> announced = Collections.synchronizedList(new ArrayList<>());
    ReplicatorMetrics metrics;
    ReplicationEngine engine;

    @BeforeAll
    static void start() {
        emulator = AwsEmulator.builder().port(0).regions(REGIONS).build().start();
        aws = new AwsClients(AwsConfig.of(SourceAmis.BASE, emulator.endpoint()), new AwsCallMetrics(new SimpleMeterRegistry()));
    }

    @AfterAll
    static void stop() {
        aws.close();
        emulator.close();
    }

    @BeforeEach
    void engine() {
        emulator.reset();
        assertThat(emulator.quotas().value("eu-west-1", Quota.PUBLIC_AMIS)).as("AWS's default").isEqualTo(5);
        metrics = new ReplicatorMetrics(new SimpleMeterRegistry());
        ReplicationSettings settings = new ReplicationSettings(List.of(), List.of(), 8, Duration.ofMinutes(2),
                Waiter.Limits.of(300, Duration.ofMillis(50)), Map.of(), List.of(), false,
                Waiter.Limits.of(3, Duration.ofMillis(50)), Map.of(), true, STREAMS,
                new QuotaSettings(OptionalLong.empty(), Map.of(), 5, Waiter.Limits.of(3, Duration.ofMillis(100))));
        engine = new ReplicationEngine(aws, settings, metrics, clock, () -> false);
    }

    AmiTested source(String composeId, String type, org.fedoraproject.fedimg.events.AmiVariant variant) {
        AmiTested t = new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassed(composeId, type, variant);
        return new AmiTested(t.eventId(), t.imageKey(), t.composeId(), t.traceId(), clock.instant(), t.image(), t.ami(),
                t.verdict(), t.exitCode(), t.durationMillis(), t.outputExcerpt(), t.consoleExcerpt(), t.reason(),
                t.testedAmiId());
    }

    /** Both variants of a compose replicated at the same time, as the service's concurrent jobs do. */
    List<RegionDone> publish(String composeId, String type) {
        List<AmiTested> variants = List.of(source(composeId, type, Samples.GP3), source(composeId, type, Samples.STANDARD));
        List<Uni<List<RegionDone>>> jobs = variants.stream().map(t -> engine.replicate(t,
                (Permit) PublicationGuard.evaluate(t), REGIONS, d -> Uni.createFrom().voidItem(),
                s -> Uni.createFrom().voidItem().invoke(() -> announced.add(s)))).toList();
        List<RegionDone> all = new ArrayList<>();
        Uni.join().all(jobs).andFailFast().await().atMost(Duration.ofMinutes(2)).forEach(all::addAll);
        return all;
    }

    static List<String> ids(List<RegionDone> done) {
        return done.stream().map(d -> d.result().amiId()).toList();
    }

    List<String> inRegion(String region, List<String> amiIds) {
        return amiIds.stream().filter(id -> emulator.inspect().image(region, id).isPresent()).toList();
    }

    List<Views.Image> publicImages(String region) {
        return emulator.inspect().images(region).stream().filter(Views.Image::isPublic).toList();
    }

    @Test
    void nightliesMakeRoomForEachOtherAndNeverDemoteTheRelease() {
        List<RegionDone> release = publish("Fedora-Cloud-41-20260301.0", "production");
        assertThat(release).allSatisfy(d -> assertThat(d.result().outcome()).isEqualTo(RegionOutcome.PUBLISHED));
        List<String> releaseAmis = release.stream().map(d -> d.result().amiId()).toList();
        for (int night = 1; night <= 4; night++) {
            clock.advance(Duration.ofDays(1));
            List<RegionDone> nightly = publish("Fedora-Cloud-41-2026030" + night + ".n.0", "nightly");
            assertThat(nightly).as("night %d", night)
                    .allSatisfy(d -> assertThat(d.result().outcome()).as(d.result().reason()).isEqualTo(RegionOutcome.PUBLISHED));
            for (String region : REGIONS) {
                List<String> pub = publicImages(region).stream().map(Views.Image::imageId).toList();
                assertThat(pub).as("public in %s on night %d: within the quota, the release and tonight's", region, night)
                        .hasSizeLessThanOrEqualTo(5)
                        .containsAll(inRegion(region, releaseAmis)).containsAll(inRegion(region, ids(nightly)));
            }
        }
        // Demotion only when there is no room: night 1 fits (2 + 2), night 2 needs one per region (its second
        // variant), nights 3 and 4 two each (the oldest nightly first). The one left over is the lifecycle job's.
        List<StageStatus> demotions = announced.stream().filter(s -> s.stage() == Stage.LIFECYCLE).toList();
        assertThat(demotions).hasSize(15).allSatisfy(s -> {
            assertThat(s.reason()).startsWith("made-private: room under the public AMI quota");
            assertThat(s.image().composeType()).isEqualTo("nightly");
            Views.Image image = emulator.inspect().image(s.region(), s.amiId()).orElseThrow();
            assertThat(image.isPublic()).isFalse();
            assertThat(emulator.inspect().snapshot(s.region(), image.rootSnapshotId()).orElseThrow()
                    .createVolumePermissionGroups()).as("its snapshot").doesNotContain("all");
        });
        assertThat(demotions.stream().map(StageStatus::amiId).distinct()).hasSize(15);
        assertThat(demotions.stream().map(StageStatus::amiId)).doesNotContainAnyElementsOf(releaseAmis);
        assertThat(metrics.quotaRefusals("eu-west-1")).isZero();
    }

    @Test
    void aRegionFullOfReleasesFailsOnTheQuotaAndNothingIsDemoted() {
        emulator.quotas().set("eu-west-1", Quota.PUBLIC_AMIS, 2);
        publish("Fedora-Cloud-41-20260301.0", "production");
        clock.advance(Duration.ofDays(1));
        List<RegionDone> nightly = publish("Fedora-Cloud-41-20260302.n.0", "nightly");

        assertThat(nightly).filteredOn(d -> d.result().region().equals("eu-west-1"))
                .hasSize(2).allSatisfy(d -> {
                    assertThat(d.result().outcome()).isEqualTo(RegionOutcome.FAILED);
                    assertThat(d.result().reason()).startsWith("public AMI quota").contains("eu-west-1");
                    assertThat(d.result().isPublic()).isFalse();
                });
        assertThat(nightly).filteredOn(d -> !d.result().region().equals("eu-west-1"))
                .allSatisfy(d -> assertThat(d.result().outcome()).isEqualTo(RegionOutcome.PUBLISHED));
        assertThat(publicImages("eu-west-1")).hasSize(2)
                .allSatisfy(i -> assertThat(i.tags()).containsEntry("fedimg:compose-type", "production"));
        assertThat(announced).isEmpty();
        assertThat(metrics.quotaRefusals("eu-west-1")).isEqualTo(2);
    }

    /**
     * The replicator demotes, then crashes before its announcement is written (here: the announcement fails, so the
     * region fails as a crash would leave it, unannounced); the redelivery finds the demoted AMIs again by their
     * {@code fedimg:demoted-for} tag and announces each with the id it would have had, demoting nothing more.
     */
    @Test
    void aDemotionUnannouncedAtACrashIsAnnouncedOnRedelivery() {
        emulator.quotas().set(Quota.PUBLIC_AMIS, 1);
        AmiTested first = source("Fedora-Cloud-41-20260301.n.0", "nightly", Samples.GP3);
        List<RegionDone> one = engine.replicate(first, (Permit) PublicationGuard.evaluate(first), REGIONS,
                d -> Uni.createFrom().voidItem(), s -> Uni.createFrom().voidItem()).await().atMost(Duration.ofMinutes(2));
        assertThat(one).allSatisfy(d -> assertThat(d.result().outcome()).isEqualTo(RegionOutcome.PUBLISHED));

        clock.advance(Duration.ofDays(1));
        AmiTested second = source("Fedora-Cloud-41-20260302.n.0", "nightly", Samples.GP3);
        Permit permit = (Permit) PublicationGuard.evaluate(second);
        List<RegionDone> crashed = engine.replicate(second, permit, REGIONS, d -> Uni.createFrom().voidItem(),
                s -> Uni.createFrom().failure(new IllegalStateException("killed before the announcement was written")))
                .await().atMost(Duration.ofMinutes(2));
        assertThat(crashed).allSatisfy(d -> assertThat(d.result().outcome()).isEqualTo(RegionOutcome.FAILED));
        for (RegionDone d : one) {
            Views.Image old = emulator.inspect().image(d.result().region(), d.result().amiId()).orElseThrow();
            assertThat(old.isPublic()).as("demoted before the crash").isFalse();
            String newAmi = d.result().region().equals(SourceAmis.BASE) ? second.ami().amiId() : crashed.stream()
                    .filter(c -> c.result().region().equals(d.result().region())).findFirst().orElseThrow().result().amiId();
            assertThat(old.tags()).containsEntry("fedimg:demoted-for", newAmi);
        }
        assertThat(announced).isEmpty();

        List<RegionDone> redelivered = engine.replicate(second, permit, REGIONS, d -> Uni.createFrom().voidItem(),
                s -> Uni.createFrom().voidItem().invoke(() -> announced.add(s))).await().atMost(Duration.ofMinutes(2));
        assertThat(redelivered).allSatisfy(d -> assertThat(d.result().outcome()).as(d.result().reason())
                .isEqualTo(RegionOutcome.PUBLISHED));
        assertThat(announced).extracting(StageStatus::amiId).containsExactlyInAnyOrderElementsOf(ids(one));
        assertThat(announced).allSatisfy(s -> {
            assertThat(s.stage()).isEqualTo(Stage.LIFECYCLE);
            assertThat(s.reason()).startsWith("made-private: room under the public AMI quota");
        });
        // the same ids as the announcement the crash lost: receivers see each demotion once, however often it is said
        List<String> eventIds = announced.stream().map(StageStatus::eventId).toList();
        announced.clear();
        for (RegionDone d : redelivered) {
            assertThat(emulator.inspect().image(d.result().region(), d.result().amiId()).orElseThrow().isPublic()).isTrue();
        }
        assertThat(metrics.demotions()).as("nothing demoted twice").isEqualTo(REGIONS.size());
        assertThat(eventIds).doesNotHaveDuplicates().hasSize(REGIONS.size());
    }

    @Test
    void aKeptNightlyIsNeverDemotedForRoom() {
        publish("Fedora-Cloud-41-20260301.0", "production");
        clock.advance(Duration.ofDays(1));
        List<RegionDone> first = publish("Fedora-Cloud-41-20260302.n.0", "nightly");
        for (RegionDone d : first) {
            aws.ec2(d.result().region()).createTags(b -> b.resources(d.result().amiId())
                    .tags(t -> t.key("fedimg:keep").value("operator"))).join();
        }
        clock.advance(Duration.ofDays(1));
        List<RegionDone> second = publish("Fedora-Cloud-41-20260303.n.0", "nightly");
        // room for one (5 - 4), then the quota: the kept AMIs stay public
        assertThat(second.stream().filter(d -> d.result().outcome() == RegionOutcome.FAILED).count()).isEqualTo(REGIONS.size());
        assertThat(first).allSatisfy(d -> assertThat(emulator.inspect().image(d.result().region(), d.result().amiId())
                .orElseThrow().isPublic()).isTrue());
        assertThat(announced).isEmpty();
    }
}
