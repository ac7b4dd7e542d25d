package org.fedoraproject.fedimg.lifecycle.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction.Kind;
import org.junit.jupiter.api.Test;

class RetentionTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final RetentionPolicy NIGHTLY = new RetentionPolicy(1, Optional.empty(), Duration.ZERO,
            Optional.of(Duration.ofDays(30)), Optional.of(Duration.ofDays(60)), Duration.ofDays(7), true);
    static final RetentionPolicy CANDIDATE = new RetentionPolicy(1, Optional.of(Duration.ofDays(14)), Duration.ZERO,
            Optional.empty(), Optional.empty(), Duration.ZERO, true);
    static final Streams STREAMS = new Streams(List.of(
            new Stream("nightly", "nightly", Optional.empty(), NIGHTLY),
            new Stream("candidate", "test", Optional.empty(), CANDIDATE),
            new Stream("release", "production", Optional.empty(), RetentionPolicy.forever())));

    static ManagedAmi ami(String id, String type, int day, String arch, boolean isPublic) {
        return new ManagedAmi(id, "us-east-1", "n-" + id, "k-" + id, "0".repeat(64), type, "c-" + day, "41", arch, "hvm-gp3",
                T0.plus(Duration.ofDays(day)), isPublic, false, false, Optional.empty(), List.of("snap-" + id));
    }

    static ManagedAmi kept(ManagedAmi a) {
        return new ManagedAmi(a.amiId(), a.region(), a.name(), a.imageKey(), a.sha256(), a.composeType(), a.composeId(), a.release(), a.arch(),
                a.variant(), a.publishedAt(), a.isPublic(), a.disabled(), true, a.lastLaunched(), a.snapshotIds());
    }

    static ManagedAmi launched(ManagedAmi a, Instant at) {
        return new ManagedAmi(a.amiId(), a.region(), a.name(), a.imageKey(), a.sha256(), a.composeType(), a.composeId(), a.release(), a.arch(),
                a.variant(), a.publishedAt(), a.isPublic(), a.disabled(), a.kept(), Optional.of(at), a.snapshotIds());
    }

    static Instant day(int d) {
        return T0.plus(Duration.ofDays(d));
    }

    @Test
    void theNewestPerGroupStaysPublicAndTheOthersGoPrivate() {
        var amis = List.of(ami("a1", "nightly", 1, "x86_64", true), ami("a2", "nightly", 2, "x86_64", true),
                ami("b1", "nightly", 1, "aarch64", true));
        var plan = Retention.plan(amis, STREAMS, day(3));
        assertThat(plan).extracting(a -> a.ami().amiId() + ":" + a.kind()).containsExactly("a1:MAKE_PRIVATE");
    }

    @Test
    void privateAmisAreDisabledThenDeregisteredWhenOldEnough() {
        var amis = List.of(ami("old", "nightly", 0, "x86_64", false), ami("mid", "nightly", 40, "x86_64", false),
                ami("new", "nightly", 70, "x86_64", true));
        var plan = Retention.plan(amis, STREAMS, day(71));
        assertThat(plan).extracting(a -> a.ami().amiId() + ":" + a.kind())
                .containsExactly("old:DISABLE", "old:DEREGISTER", "mid:DISABLE");
    }

    @Test
    void onePublicAmiPastEveryThresholdGetsEveryStepInOrder() {
        var amis = List.of(ami("old", "nightly", 0, "x86_64", true), ami("new", "nightly", 70, "x86_64", true));
        assertThat(Retention.plan(amis, STREAMS, day(71))).extracting(LifecycleAction::kind)
                .containsExactly(Kind.MAKE_PRIVATE, Kind.DISABLE, Kind.DEREGISTER);
    }

    @Test
    void keepTagReleasesAndRecentLaunchesAlwaysWin() {
        var amis = List.of(kept(ami("k", "nightly", 0, "x86_64", true)),
                launched(ami("l", "nightly", 1, "x86_64", true), day(68)),
                ami("r1", "production", 0, "x86_64", true), ami("r2", "production", 5, "x86_64", true),
                ami("new", "nightly", 70, "x86_64", true));
        assertThat(Retention.plan(amis, STREAMS, day(71))).isEmpty();
        // once the launch is older than the window, it goes
        assertThat(Retention.plan(amis, STREAMS, day(80))).extracting(a -> a.ami().amiId()).containsOnly("l");
    }

    @Test
    void publicForEndsACandidatesPublicLifeEvenWhenNewest() {
        var amis = List.of(ami("c", "test", 100, "x86_64", true));
        assertThat(Retention.plan(amis, STREAMS, day(113))).isEmpty();
        assertThat(Retention.plan(amis, STREAMS, day(114))).extracting(LifecycleAction::kind)
                .containsExactly(Kind.MAKE_PRIVATE);
    }

    @Test
    void replanningAfterAPartialRunGivesTheRest() {
        var amis = new ArrayList<>(List.of(ami("old", "nightly", 0, "x86_64", true),
                ami("new", "nightly", 70, "x86_64", true)));
        amis.set(0, amis.get(0).asPrivate());
        assertThat(Retention.plan(amis, STREAMS, day(71))).extracting(LifecycleAction::kind)
                .containsExactly(Kind.DISABLE, Kind.DEREGISTER);
    }

    @Test
    void roomIsMadeFromTheOldestOfTheSameStreamOnly() {
        var pub = List.of(ami("n1x", "nightly", 1, "x86_64", true), ami("n1a", "nightly", 1, "aarch64", true),
                ami("c1", "test", 0, "x86_64", true), ami("r1", "production", 0, "x86_64", true),
                ami("r2", "production", 0, "aarch64", true));
        var room = Retention.makeRoom(pub, 5, ami("n2x", "nightly", 2, "x86_64", false), STREAMS, day(2));
        assertThat(room.refusal()).isEmpty();
        assertThat(room.demote()).extracting(ManagedAmi::amiId).containsExactly("n1x");
    }

    @Test
    void noRoomNeededUnderTheQuota() {
        var pub = List.of(ami("n1x", "nightly", 1, "x86_64", true));
        assertThat(Retention.makeRoom(pub, 5, ami("n2x", "nightly", 2, "x86_64", false), STREAMS, day(2)).demote())
                .isEmpty();
    }

    @Test
    void aQuotaFullOfReleasesIsRefusedAndNothingIsDemoted() {
        var pub = new ArrayList<ManagedAmi>();
        for (int i = 0; i < 5; i++) {
            pub.add(ami("r" + i, "production", i, "x86_64", true));
        }
        var room = Retention.makeRoom(pub, 5, ami("n", "nightly", 9, "x86_64", false), STREAMS, day(9));
        assertThat(room.demote()).isEmpty();
        assertThat(room.refusal()).get().asString().startsWith("public AMI quota");
        // a new release cannot push an old one out either
        room = Retention.makeRoom(pub, 5, ami("r9", "production", 9, "x86_64", false), STREAMS, day(9));
        assertThat(room.refusal()).isPresent();
    }

    @Test
    void aKeptOrRecentlyLaunchedNightlyIsNotDemotedForRoom() {
        var pub = List.of(kept(ami("k", "nightly", 1, "x86_64", true)),
                launched(ami("l", "nightly", 2, "x86_64", true), day(3)),
                ami("r1", "production", 0, "x86_64", true), ami("r2", "production", 0, "aarch64", true),
                ami("r3", "production", 0, "ppc", true));
        var room = Retention.makeRoom(pub, 5, ami("n", "nightly", 4, "x86_64", false), STREAMS, day(4));
        assertThat(room.demote()).isEmpty();
        assertThat(room.refusal()).isPresent();
    }

    /** The tester boots every AMI in the base region before it is published: that launch is fedimg's own. */
    @Test
    void theTestersOwnLaunchBeforePublicationDoesNotProtectANightly() {
        ManagedAmi tested = launched(ami("t", "nightly", 2, "x86_64", true), day(2).minusSeconds(40));
        var pub = List.of(tested, ami("r1", "production", 0, "x86_64", true), ami("r2", "production", 0, "aarch64", true),
                ami("n3", "nightly", 3, "x86_64", true), kept(ami("k", "nightly", 1, "x86_64", true)));
        var room = Retention.makeRoom(pub, 5, ami("n", "nightly", 4, "x86_64", false), STREAMS, day(4));
        assertThat(room.demote()).extracting(ManagedAmi::amiId).containsExactly("t");
        assertThat(room.refusal()).isEmpty();
    }

    @Test
    void theMostSpecificStreamWins() {
        var rawhide = new Stream("rawhide", "nightly", Optional.of("Rawhide"), CANDIDATE);
        var streams = new Streams(List.of(STREAMS.all().get(0), rawhide));
        assertThat(streams.of("nightly", "rawhide")).contains(rawhide);
        assertThat(streams.of("nightly", "41")).contains(STREAMS.all().get(0));
        assertThat(streams.of("respin", "41")).isEmpty();
    }
}
