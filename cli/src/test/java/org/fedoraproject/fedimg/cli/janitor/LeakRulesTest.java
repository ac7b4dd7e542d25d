package org.fedoraproject.fedimg.cli.janitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.junit.jupiter.api.Test;

class LeakRulesTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final Duration GRACE = Duration.ofHours(6);
    static final Instant OLD = NOW.minus(Duration.ofHours(9));
    static final Instant FRESH = NOW.minus(Duration.ofHours(1));
    static final String KEY = "Fedora-Cloud-41-20261120.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261120.n.0.x86_64.raw.xz";
    static final String OTHER_KEY = "Fedora-Cloud-41-20261121.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261121.n.0.x86_64.raw.xz";

    final List<Resource> inventory = new ArrayList<>();
    PipelineState pipeline = PipelineState.notConsulted();

    @Test
    void untaggedResourcesAreNeverConsidered() {
        add(r(ResourceType.INSTANCE, "i-untagged", Map.of("Name", "someone else's"), OLD, "running"));
        add(r(ResourceType.VOLUME, "vol-untagged", Map.of(AwsTags.CREATED_BY, "someone-else"), OLD, "available"));
        add(r(ResourceType.SECURITY_GROUP, "sg-untagged", Map.of(), null, ""));

        assertThat(decide().findings()).isEmpty();
    }

    @Test
    void oldInstancesOfNoJobAreLeaksAndYoungOnesAreKept() {
        add(r(ResourceType.INSTANCE, "i-old", tags(KEY, "test-instance"), OLD, "running"));
        add(r(ResourceType.INSTANCE, "i-stopped", tags(OTHER_KEY, "utility-instance"), OLD, "stopped"));
        add(r(ResourceType.INSTANCE, "i-gone", tags(OTHER_KEY, "test-instance"), OLD, "terminated"));
        add(r(ResourceType.INSTANCE, "i-going", tags(OTHER_KEY, "test-instance"), OLD, "shutting-down"));
        add(r(ResourceType.INSTANCE, "i-fresh", tags("compose/x", "test-instance"), FRESH, "running"));

        Plan plan = decide();
        assertThat(action(plan, "i-old")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "i-old")).contains("test-instance");
        assertThat(action(plan, "i-stopped")).isEqualTo(Finding.Action.DELETE);
        assertThat(find(plan, "i-gone")).isEmpty();
        assertThat(action(plan, "i-going")).isEqualTo(Finding.Action.KEEP);
        assertThat(action(plan, "i-fresh")).isEqualTo(Finding.Action.KEEP);
        assertThat(reason(plan, "i-fresh")).contains("within the grace period");
    }

    @Test
    void aYoungResourceOfTheSameImageInAnyRegionKeepsTheImageInFlight() {
        add(r(ResourceType.AMI, "ami-base", tags(KEY, "image"), OLD, "available"));
        add(new Resource("eu-west-1", ResourceType.INSTANCE, "i-testing-now", "", tags(KEY, "test-instance"),
                Optional.of(FRESH), "running", Visibility.PRIVATE, Set.of()));

        Plan plan = decide();
        assertThat(action(plan, "ami-base")).isEqualTo(Finding.Action.KEEP);
        assertThat(reason(plan, "ami-base")).contains("in flight").contains("i-testing-now");
    }

    @Test
    void kafkaActivityWithinTheGracePeriodKeepsTheImageInFlight() {
        add(r(ResourceType.VOLUME, "vol-1", tags(KEY, "utility-volume"), OLD, "available"));
        pipeline = PipelineState.consulted().add(status(KEY, Stage.COPY, StageState.COMPLETED, NOW.minus(Duration.ofHours(2))));

        assertThat(action(decide(), "vol-1")).isEqualTo(Finding.Action.KEEP);
        assertThat(reason(decide(), "vol-1")).contains("last pipeline event 2h ago");
    }

    @Test
    void aStepThatStartedAndNeverEndedKeepsTheImageInFlightUntilItIsStuck() {
        add(r(ResourceType.VOLUME, "vol-1", tags(KEY, "utility-volume"), OLD, "available"));
        pipeline = PipelineState.consulted()
                .add(status(KEY, Stage.UPLOAD, StageState.STARTED, NOW.minus(Duration.ofHours(20))))
                .add(status(KEY, Stage.TEST, StageState.STARTED, NOW.minus(Duration.ofHours(10))))
                .add(status(KEY, Stage.TEST, StageState.COMPLETED, NOW.minus(Duration.ofHours(9))));
        // UPLOAD never ended: in flight for --stuck-after (2 days), not longer.
        assertThat(action(decide(), "vol-1")).isEqualTo(Finding.Action.KEEP);
        assertThat(reason(decide(), "vol-1")).contains("UPLOAD in us-east-1 STARTED 20h ago and never completed or failed");

        pipeline = PipelineState.consulted()
                .add(status(KEY, Stage.UPLOAD, StageState.STARTED, NOW.minus(Duration.ofDays(3))));
        assertThat(action(decide(), "vol-1")).isEqualTo(Finding.Action.DELETE);

        pipeline = PipelineState.consulted()
                .add(status(KEY, Stage.UPLOAD, StageState.STARTED, NOW.minus(Duration.ofHours(20))))
                .add(status(KEY, Stage.UPLOAD, StageState.FAILED, NOW.minus(Duration.ofHours(19))));
        assertThat(action(decide(), "vol-1")).isEqualTo(Finding.Action.DELETE);
    }

    @Test
    void amisOfFailedRunsAreLeaksButNeverPublicSharedPassedOrPublishedOnes() {
        add(ami("ami-failed", Map.of(AwsTags.TEST_VERDICT, "failed", "fedimg:test-reason", "exit 3"), Visibility.PRIVATE));
        add(ami("ami-untested", Map.of(), Visibility.PRIVATE));
        add(ami("ami-public", Map.of(AwsTags.TEST_VERDICT, "failed"), Visibility.PUBLIC));
        add(ami("ami-shared", Map.of(), Visibility.SHARED));
        add(ami("ami-passed", Map.of(AwsTags.TEST_VERDICT, "passed"), Visibility.PRIVATE));
        add(ami("ami-unknown", Map.of(AwsTags.TEST_VERDICT, "failed"), Visibility.UNKNOWN));
        add(new Resource("us-east-1", ResourceType.AMI, "ami-pending", "", tags(OTHER_KEY, "image"), Optional.of(OLD),
                "pending", Visibility.PRIVATE, Set.of()));
        add(new Resource("us-east-1", ResourceType.AMI, "ami-undated", "", tags(OTHER_KEY, "image"), Optional.empty(),
                "available", Visibility.PRIVATE, Set.of()));

        Plan plan = decide();
        assertThat(action(plan, "ami-failed")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "ami-failed")).isEqualTo("test failed: exit 3; never published");
        assertThat(action(plan, "ami-untested")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "ami-untested")).isEqualTo("never passed a test and never published");
        assertThat(reason(plan, "ami-public")).isEqualTo("public");
        assertThat(reason(plan, "ami-shared")).isEqualTo("shared with other accounts");
        assertThat(reason(plan, "ami-passed")).contains("passed its test");
        assertThat(action(plan, "ami-unknown")).isEqualTo(Finding.Action.KEEP);
        assertThat(plan.visibilityToCheck()).extracting(Resource::id).containsExactly("ami-unknown");
        assertThat(action(plan, "ami-pending")).isEqualTo(Finding.Action.KEEP);
        assertThat(action(plan, "ami-undated")).isEqualTo(Finding.Action.KEEP);
        assertThat(plan.with(Finding.Action.DELETE)).extracting(f -> f.resource().id())
                .containsExactlyInAnyOrder("ami-failed", "ami-untested");
    }

    @Test
    void privateCopiesOfAnAmiThatPassedAreKept() {
        add(ami("ami-source", Map.of(AwsTags.TEST_VERDICT, "passed"), Visibility.PUBLIC));
        add(new Resource("eu-west-1", ResourceType.AMI, "ami-copy", "", withTags(tags(KEY, "image"),
                AwsTags.SOURCE_AMI, "ami-source"), Optional.of(OLD), "available", Visibility.PRIVATE, Set.of()));
        add(new Resource("eu-west-1", ResourceType.AMI, "ami-copy-of-kafka-pass", "", withTags(tags(KEY, "image"),
                AwsTags.SOURCE_AMI, "ami-gone"), Optional.of(OLD), "available", Visibility.PRIVATE, Set.of()));
        add(new Resource("eu-west-1", ResourceType.AMI, "ami-copy-of-unknown", "", withTags(tags(KEY, "image"),
                AwsTags.SOURCE_AMI, "ami-unknown"), Optional.of(OLD), "available", Visibility.PRIVATE, Set.of()));
        pipeline = PipelineState.consulted().add(tested("ami-gone", TestVerdict.PASSED));

        Plan plan = decide();
        assertThat(reason(plan, "ami-copy")).isEqualTo("copy of ami-source, which passed its test: not a failed run");
        assertThat(action(plan, "ami-copy-of-kafka-pass")).isEqualTo(Finding.Action.KEEP);
        assertThat(action(plan, "ami-copy-of-unknown")).isEqualTo(Finding.Action.DELETE);
    }

    @Test
    void kafkaVerdictsAndPublishedRecordsDecideForUntaggedVerdicts() {
        add(ami("ami-kafka-passed", Map.of(), Visibility.PRIVATE));
        add(ami("ami-kafka-failed", Map.of(), Visibility.PRIVATE));
        add(ami("ami-kafka-published", Map.of(), Visibility.PRIVATE));
        pipeline = PipelineState.consulted()
                .add(tested("ami-kafka-passed", TestVerdict.PASSED))
                .add(tested("ami-kafka-failed", TestVerdict.FAILED))
                .add(published("ami-kafka-published", "snap-published"));

        Plan plan = decide();
        assertThat(action(plan, "ami-kafka-passed")).isEqualTo(Finding.Action.KEEP);
        assertThat(reason(plan, "ami-kafka-failed")).isEqualTo("test failed (fedimg.amis.tested); never published");
        assertThat(reason(plan, "ami-kafka-published")).contains("recorded as published");
    }

    @Test
    void snapshotsGoOnlyWhenNoKeptAmiUsesThemAndTheyAreNotPublic() {
        add(amiWith("ami-leak", Map.of(AwsTags.TEST_VERDICT, "failed"), Set.of("snap-of-leak")));
        add(amiWith("ami-passed", Map.of(AwsTags.TEST_VERDICT, "passed"), Set.of("snap-of-passed")));
        // An AMI without the fedimg tag still protects a fedimg snapshot it uses.
        add(new Resource("us-east-1", ResourceType.AMI, "ami-foreign", "", Map.of(), Optional.of(OLD), "available",
                Visibility.PRIVATE, Set.of("snap-used-by-foreign")));
        for (String id : List.of("snap-of-leak", "snap-of-passed", "snap-used-by-foreign", "snap-orphan")) {
            add(snapshot(id, Visibility.PRIVATE));
        }
        add(snapshot("snap-public-orphan", Visibility.PUBLIC));
        add(snapshot("snap-unknown-orphan", Visibility.UNKNOWN));

        Plan plan = decide();
        assertThat(action(plan, "snap-of-leak")).isEqualTo(Finding.Action.DELETE);
        assertThat(find(plan, "snap-of-leak").get().dependsOn()).contains("ami-leak");
        assertThat(reason(plan, "snap-of-leak")).isEqualTo("snapshot of leaked AMI ami-leak");
        assertThat(reason(plan, "snap-of-passed")).isEqualTo("backs AMI ami-passed");
        assertThat(reason(plan, "snap-used-by-foreign")).isEqualTo("backs AMI ami-foreign");
        assertThat(reason(plan, "snap-orphan")).isEqualTo("used by no AMI");
        assertThat(reason(plan, "snap-public-orphan")).isEqualTo("public");
        assertThat(action(plan, "snap-unknown-orphan")).isEqualTo(Finding.Action.KEEP);
        assertThat(plan.visibilityToCheck()).extracting(Resource::id).containsExactly("snap-unknown-orphan");
    }

    @Test
    void volumesKeyPairsAndGroupsOfLiveInstancesAreKept() {
        // A live instance without the fedimg tag uses a fedimg volume, key pair and group.
        add(new Resource("us-east-1", ResourceType.INSTANCE, "i-live", "", Map.of(), Optional.of(OLD), "running",
                Visibility.PRIVATE, Set.of("sg-used", LeakRules.KEY_NAME_REF + "key-used")));
        add(new Resource("us-east-1", ResourceType.INSTANCE, "i-leak", "", tags(KEY, "utility-instance"), Optional.of(OLD),
                "running", Visibility.PRIVATE, Set.of("sg-of-leak", LeakRules.KEY_NAME_REF + "key-of-leak")));
        add(volume("vol-on-live", Set.of("i-live")));
        add(volume("vol-on-leak", Set.of("i-leak")));
        add(volume("vol-free", Set.of()));
        add(keyPair("key-used", OLD));
        add(keyPair("key-of-leak", OLD));
        add(group("sg-used", Map.of(LeakRules.EXPIRES_AT, NOW.minusSeconds(60).toString())));
        add(group("sg-of-leak", Map.of(LeakRules.EXPIRES_AT, NOW.minusSeconds(60).toString())));

        Plan plan = decide();
        assertThat(reason(plan, "vol-on-live")).isEqualTo("attached to live instance i-live");
        assertThat(reason(plan, "vol-on-leak")).contains("attached only to leaked instance i-leak");
        assertThat(action(plan, "vol-on-leak")).isEqualTo(Finding.Action.DELETE);
        assertThat(action(plan, "vol-free")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "key-used")).isEqualTo("used by live instance i-live");
        assertThat(action(plan, "key-of-leak")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "sg-used")).isEqualTo("used by live instance i-live");
        assertThat(action(plan, "sg-of-leak")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(plan, "sg-of-leak")).contains("past the tester's deadline");
    }

    @Test
    void undatedGroupsAreMarkedFirstAndDeletedAfterTheGracePeriod() {
        add(group("sg-new", Map.of()));
        add(group("sg-seen-recently", Map.of(LeakRules.FIRST_SEEN, NOW.minus(Duration.ofHours(2)).toString())));
        add(group("sg-seen-long-ago", Map.of(LeakRules.FIRST_SEEN, NOW.minus(Duration.ofHours(7)).toString())));
        add(group("sg-deadline-ahead", Map.of(LeakRules.EXPIRES_AT, NOW.plusSeconds(600).toString())));
        add(new Resource("us-east-1", ResourceType.KEY_PAIR, "key-0undated", "undated", tags(KEY, "test-key"),
                Optional.empty(), "", Visibility.PRIVATE, Set.of()));

        Plan plan = decide();
        assertThat(action(plan, "sg-new")).isEqualTo(Finding.Action.MARK);
        assertThat(action(plan, "sg-seen-recently")).isEqualTo(Finding.Action.KEEP);
        assertThat(action(plan, "sg-seen-long-ago")).isEqualTo(Finding.Action.DELETE);
        assertThat(action(plan, "sg-deadline-ahead")).isEqualTo(Finding.Action.KEEP);
        assertThat(action(plan, "key-0undated")).isEqualTo(Finding.Action.MARK);
    }

    @Test
    void resourcesWithoutAnImageKeyAreJudgedByAgeAlone() {
        add(r(ResourceType.VOLUME, "vol-nokey", Map.of(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE), OLD, "available"));
        assertThat(action(decide(), "vol-nokey")).isEqualTo(Finding.Action.DELETE);
        assertThat(reason(decide(), "vol-nokey")).contains("age alone");
    }

    // --- helpers

    Plan decide() {
        return new LeakRules(NOW, GRACE, Duration.ofDays(2), pipeline).decide(inventory);
    }

    void add(Resource r) {
        inventory.add(r);
    }

    static Map<String, String> tags(String imageKey, String purpose) {
        return Map.of(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE, AwsTags.IMAGE_KEY, imageKey, AwsTags.PURPOSE, purpose);
    }

    static Map<String, String> withTags(Map<String, String> tags, String key, String value) {
        Map<String, String> t = new HashMap<>(tags);
        t.put(key, value);
        return t;
    }

    static Resource r(ResourceType type, String id, Map<String, String> tags, Instant created, String state) {
        return new Resource("us-east-1", type, id, "", tags, Optional.ofNullable(created), state, Visibility.PRIVATE, Set.of());
    }

    static Resource ami(String id, Map<String, String> extra, Visibility v) {
        Map<String, String> t = new HashMap<>(tags(KEY, "image"));
        t.putAll(extra);
        return new Resource("us-east-1", ResourceType.AMI, id, id + "-name", t, Optional.of(OLD), "available", v, Set.of());
    }

    static Resource amiWith(String id, Map<String, String> extra, Set<String> snapshots) {
        Map<String, String> t = new HashMap<>(tags(KEY, "image"));
        t.putAll(extra);
        return new Resource("us-east-1", ResourceType.AMI, id, id, t, Optional.of(OLD), "available", Visibility.PRIVATE, snapshots);
    }

    static Resource snapshot(String id, Visibility v) {
        return new Resource("us-east-1", ResourceType.SNAPSHOT, id, "", tags(KEY, "snapshot"), Optional.of(OLD), "completed", v,
                Set.of());
    }

    static Resource volume(String id, Set<String> attachedTo) {
        return new Resource("us-east-1", ResourceType.VOLUME, id, "", tags(KEY, "utility-volume"), Optional.of(OLD),
                attachedTo.isEmpty() ? "available" : "in-use", Visibility.PRIVATE, attachedTo);
    }

    static Resource keyPair(String name, Instant created) {
        return new Resource("us-east-1", ResourceType.KEY_PAIR, name, name, tags(KEY, "test-key"), Optional.ofNullable(created),
                "", Visibility.PRIVATE, Set.of());
    }

    static Resource group(String id, Map<String, String> extra) {
        Map<String, String> t = new HashMap<>(tags(KEY, "test-sg"));
        t.putAll(extra);
        return new Resource("us-east-1", ResourceType.SECURITY_GROUP, id, id, t, Optional.empty(), "", Visibility.PRIVATE, Set.of());
    }

    static StageStatus status(String key, Stage stage, StageState state, Instant time) {
        return new StageStatus("e-" + stage + state + time, key, "compose", "trace", time, stage, state, "test", null,
                "us-east-1", null, null, new AmiVariant("hvm", "gp3", false), null, null, null);
    }

    static AmiTested tested(String amiId, TestVerdict verdict) {
        return new AmiTested("t-" + amiId, KEY, "compose", "trace", OLD, null, ref(amiId, null), verdict, 0, 1L, "", "", null, amiId);
    }

    static AmiPublished published(String amiId, String snapshotId) {
        return new AmiPublished("p-" + amiId, KEY, "compose", "trace", OLD, null, ref("ami-source", null), "eu-west-1", amiId,
                snapshotId, true, List.of(), RegionOutcome.PUBLISHED, null, null);
    }

    static AmiRef ref(String amiId, String snapshotId) {
        return new AmiRef("us-east-1", amiId, "name", snapshotId, "x86_64", new AmiVariant("hvm", "gp3", false), null, List.of(), true);
    }

    static Optional<Finding> find(Plan plan, String id) {
        return plan.findings().stream().filter(f -> f.resource().id().equals(id)).findFirst();
    }

    static Finding.Action action(Plan plan, String id) {
        return find(plan, id).orElseThrow(() -> new AssertionError("no finding for " + id + " in " + plan)).action();
    }

    static String reason(Plan plan, String id) {
        return find(plan, id).orElseThrow(() -> new AssertionError("no finding for " + id + " in " + plan)).reason();
    }
}
