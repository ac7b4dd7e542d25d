package org.fedoraproject.fedimg.replicator.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.lifecycle.domain.RetentionPolicy;
import org.fedoraproject.fedimg.lifecycle.domain.Stream;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;
import org.fedoraproject.fedimg.lifecycle.job.Lifecycle;
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
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * A year of publishing under AWS's default public AMI quota of 5, on a clock the test moves: 365 nightlies (gp3
 * only, as the nightly stream's settings say), two release candidates and a release (gp3 and standard), each
 * replicated to three regions by the engine, driven with its input events directly; the lifecycle job after every
 * day, killed in the middle of every 7th run. Figures in docs/reliability.md ("A simulated year"). The number of
 * days can be lowered with {@code -Dsim.days=N}.
 */
class SimulatedYearTest {

    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    static final int DAYS = Integer.getInteger("sim.days", 365);
    static final int CANDIDATE_1 = Math.min(170, DAYS / 2);
    static final int CANDIDATE_2 = CANDIDATE_1 + 15;
    static final int RELEASE = CANDIDATE_2 + 20;
    static final int KEPT_DAY = 10;
    /**
     * The emulator stamps LastLaunchedTime with its own (real) clock; the simulation starts 3 days and an hour before
     * it, so the launch on day 3 comes after that nightly's publication (a launch before it would be the tester's own,
     * which does not count) and protects it through day 17 (the 14-day window from day 3 and an hour).
     */
    static final int LAUNCHED_DAY = 3;
    static final int LAUNCH_PROTECTED_UNTIL = LAUNCHED_DAY + 14;
    static final Duration WINDOW = Duration.ofDays(14);
    static final Streams STREAMS = new Streams(List.of(
            new Stream("nightly", "nightly", Optional.empty(), new RetentionPolicy(1, Optional.empty(), Duration.ZERO,
                    Optional.of(Duration.ofDays(30)), Optional.of(Duration.ofDays(60)), WINDOW, true)),
            new Stream("candidate", "test", Optional.empty(), new RetentionPolicy(1, Optional.of(Duration.ofDays(14)),
                    Duration.ZERO, Optional.empty(), Optional.of(Duration.ofDays(90)), WINDOW, true)),
            new Stream("release", "production", Optional.empty(), RetentionPolicy.forever())));

    static AwsEmulator emulator;
    static AwsClients aws;

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

    final MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofDays(LAUNCHED_DAY)).minus(Duration.ofHours(1)));
    final List<StageStatus> announced = Collections.synchronizedList(new ArrayList<>());
    final ReplicatorMetrics metrics = new ReplicatorMetrics(new SimpleMeterRegistry());

    @Test
    void aYearOfNightliesCandidatesAndAReleaseLivesWithinTheQuota() {
        assertThat(emulator.quotas().value("eu-west-1", Quota.PUBLIC_AMIS)).as("AWS's default").isEqualTo(5);
        ReplicationEngine engine = new ReplicationEngine(aws, new ReplicationSettings(List.of(), List.of(), 8,
                Duration.ofMinutes(2), Waiter.Limits.of(300, Duration.ofMillis(20)), Map.of(), List.of(), false,
                Waiter.Limits.of(3, Duration.ofMillis(20)), Map.of(), true, STREAMS,
                new QuotaSettings(OptionalLong.empty(), Map.of(), 5, Waiter.Limits.of(3, Duration.ofMillis(50)))),
                metrics, clock, () -> false);
        Instant start = clock.instant();
        Map<String, Set<String>> releaseAmis = new HashMap<>();
        Map<String, String> keptAmi = new HashMap<>();
        Map<String, String> launchedAmi = new HashMap<>();
        Map<String, Set<String>> publicYesterday = new HashMap<>();
        Set<String> madePrivate = new HashSet<>();
        Set<String> gone = new HashSet<>();
        Set<String> disabled = new HashSet<>();
        Map<String, Instant> candidateDay = new HashMap<>();
        int kills = 0;
        long lifecycleSteps = 0;
        int maxPublic = 0;
        long t0 = System.nanoTime();

        for (int day = 1; day <= DAYS; day++) {
            clock.set(start.plus(Duration.ofDays(day)));
            String date = DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
            List<RegionDone> done = new ArrayList<>(publish(engine, "Fedora-Cloud-41-" + date + ".n.0", "nightly",
                    List.of(Samples.GP3)));
            if (day == CANDIDATE_1 || day == CANDIDATE_2) {
                List<RegionDone> c = publish(engine, "Fedora-Cloud-41-" + date + ".t.0", "test", List.of(Samples.GP3));
                c.forEach(d -> candidateDay.put(d.result().amiId(), clock.instant()));
                done.addAll(c);
            }
            if (day == RELEASE) {
                List<RegionDone> r = publish(engine, "Fedora-Cloud-41-" + date + ".0", "production",
                        List.of(Samples.GP3, Samples.STANDARD));
                r.forEach(d -> releaseAmis.computeIfAbsent(d.result().region(), k -> new HashSet<>()).add(d.result().amiId()));
                done.addAll(r);
            }
            int today = day;
            assertThat(done).as("day %d: no region fails on the quota", day)
                    .allSatisfy(d -> assertThat(d.result().outcome()).as("%s: %s", d.result().region(), d.result().reason())
                            .isEqualTo(RegionOutcome.PUBLISHED));
            if (day == KEPT_DAY) {
                for (RegionDone d : done) {
                    aws.ec2(d.result().region()).createTags(b -> b.resources(d.result().amiId())
                            .tags(t -> t.key("fedimg:keep").value("operator"))).join();
                    keptAmi.put(d.result().region(), d.result().amiId());
                }
            }
            if (day == LAUNCHED_DAY) {
                // someone launches tonight's nightly: it must stay as it is for the window after the launch
                RegionDone d = done.stream().filter(x -> x.result().region().equals("eu-west-1")).findFirst().orElseThrow();
                aws.ec2("eu-west-1").runInstances(b -> b.imageId(d.result().amiId()).instanceType("t3.micro")
                        .minCount(1).maxCount(1)).join();
                launchedAmi.put("eu-west-1", d.result().amiId());
            }

            // the lifecycle job, killed in the middle of every 7th run (after its second announcement)
            AtomicInteger announcements = new AtomicInteger();
            boolean kill = day % 7 == 0;
            List<Lifecycle.RegionReport> reports = new Lifecycle(aws, STREAMS, s -> {
                announced.add(s);
                if (kill && announcements.incrementAndGet() == 2) {
                    throw new IllegalStateException("killed");
                }
            }).run(new Lifecycle.Options(REGIONS, true, 100, 3, clock.instant(), Duration.ofMinutes(1)));
            if (kill) {
                kills++;
                reports = new Lifecycle(aws, STREAMS, announced::add)
                        .run(new Lifecycle.Options(REGIONS, true, 100, 3, clock.instant(), Duration.ofMinutes(1)));
            }
            lifecycleSteps += reports.stream().mapToLong(r -> r.outcomes().size()).sum();
            assertThat(reports).allSatisfy(r -> {
                assertThat(r.error()).isNull();
                assertThat(r.outcomes()).allSatisfy(o -> assertThat(o.error()).isNull());
            });

            for (String region : REGIONS) {
                List<Views.Image> images = emulator.inspect().images(region);
                Set<String> alive = images.stream().filter(i -> !"deregistered".equals(i.state()))
                        .map(Views.Image::imageId).collect(Collectors.toSet());
                Set<String> pub = images.stream().filter(Views.Image::isPublic).map(Views.Image::imageId)
                        .collect(Collectors.toSet());
                maxPublic = Math.max(maxPublic, pub.size());
                // what the policy says: tonight's nightly, the kept one, the launched one within its window, the
                // release, the newest candidate within its 14 days
                int expected = 1;
                if (today >= KEPT_DAY) {
                    expected++; // the kept one does not take the newest nightly's place (on its own day, yesterday's stays)
                }
                if (launchedAmi.containsKey(region) && today > LAUNCHED_DAY && today <= LAUNCH_PROTECTED_UNTIL) {
                    expected++;
                }
                if (today >= RELEASE) {
                    expected += 2;
                }
                if (today >= CANDIDATE_1 && today < CANDIDATE_2 + 14) {
                    expected += today < CANDIDATE_1 + 14 || today >= CANDIDATE_2 ? 1 : 0;
                }
                assertThat(pub).as("day %d, %s: public AMIs", today, region).hasSize(expected)
                        .hasSizeLessThanOrEqualTo(5);
                releaseAmis.getOrDefault(region, Set.of()).forEach(id -> assertThat(pub).as("release").contains(id));
                Optional.ofNullable(keptAmi.get(region)).ifPresent(id -> assertThat(pub).as("kept").contains(id));
                if (launchedAmi.containsKey(region) && today <= LAUNCH_PROTECTED_UNTIL) {
                    assertThat(pub).as("launched within the window").contains(launchedAmi.get(region));
                }
                // nothing leaks: every snapshot belongs to a live AMI, none public behind a private AMI
                Map<String, Views.Image> bySnapshot = images.stream().filter(i -> alive.contains(i.imageId()))
                        .collect(Collectors.toMap(Views.Image::rootSnapshotId, i -> i, (a, b) -> a));
                for (Views.Snapshot s : emulator.inspect().snapshots(region)) {
                    assertThat(bySnapshot).as("day %d, %s: snapshot %s has its AMI", today, region, s.snapshotId())
                            .containsKey(s.snapshotId());
                    if (!bySnapshot.get(s.snapshotId()).isPublic()) {
                        assertThat(s.createVolumePermissionGroups()).as("snapshot of a private AMI").doesNotContain("all");
                    }
                }
                for (String id : publicYesterday.getOrDefault(region, Set.of())) {
                    if (!pub.contains(id)) {
                        madePrivate.add(id);
                    }
                    if (!alive.contains(id)) {
                        gone.add(id);
                    }
                }
                images.stream().filter(i -> "disabled".equals(i.state())).forEach(i -> disabled.add(i.imageId()));
                publicYesterday.put(region, pub);
            }
        }

        // every demotion has its bus message (by the replicator for room, or by the lifecycle job)
        Set<String> announcedPrivate = announced.stream().filter(s -> s.stage() == Stage.LIFECYCLE
                && s.reason().startsWith("made-private")).map(StageStatus::amiId).collect(Collectors.toSet());
        Set<String> announcedDisabled = announced.stream().filter(s -> s.reason().startsWith("disabled"))
                .map(StageStatus::amiId).collect(Collectors.toSet());
        assertThat(announcedPrivate).containsAll(madePrivate);
        assertThat(announcedDisabled).containsAll(disabled);
        assertThat(releaseAmis.values().stream().flatMap(Set::stream)).doesNotContainAnyElementsOf(announcedPrivate);
        assertThat(keptAmi.values()).doesNotContainAnyElementsOf(announcedPrivate);
        assertThat(metrics.quotaRefusals("eu-west-1")).isZero();
        long deregistered = announced.stream().filter(s -> s.reason().startsWith("deregistered")).map(StageStatus::amiId)
                .distinct().count();
        assertThat(gone).as("a public AMI never vanishes without going private first").isEmpty();
        System.out.printf("simulated year: days=%d regions=%d max public per region=%d made private=%d "
                + "disabled=%d deregistered=%d lifecycle steps=%d kills=%d announcements=%d wall=%ds%n", DAYS, REGIONS.size(),
                maxPublic, madePrivate.size(), disabled.size(), deregistered, lifecycleSteps, kills, announced.size(),
                Duration.ofNanos(System.nanoTime() - t0).toSeconds());
    }

    List<RegionDone> publish(ReplicationEngine engine, String composeId, String type, List<AmiVariant> variants) {
        List<Uni<List<RegionDone>>> jobs = new ArrayList<>();
        for (AmiVariant v : variants) {
            AmiTested t = new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassed(composeId, type, v);
            AmiTested at = new AmiTested(t.eventId(), t.imageKey(), t.composeId(), t.traceId(), clock.instant(), t.image(),
                    t.ami(), t.verdict(), t.exitCode(), t.durationMillis(), t.outputExcerpt(), t.consoleExcerpt(),
                    t.reason(), t.testedAmiId());
            jobs.add(engine.replicate(at, (Permit) PublicationGuard.evaluate(at), REGIONS, d -> Uni.createFrom().voidItem(),
                    s -> Uni.createFrom().voidItem().invoke(() -> announced.add(s))));
        }
        List<RegionDone> all = new ArrayList<>();
        Uni.join().all(jobs).andFailFast().await().atMost(Duration.ofMinutes(2)).forEach(all::addAll);
        return all;
    }
}
