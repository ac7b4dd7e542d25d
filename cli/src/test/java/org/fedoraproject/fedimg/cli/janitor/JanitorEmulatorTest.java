package org.fedoraproject.fedimg.cli.janitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fedoraproject.fedimg.cli.janitor.Ec2Fixture.fedimg;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leaks made on purpose in the emulator, next to resources that must survive, in two regions. The
 * emulator dates resources with the real clock, so the test takes a cut instant between the "old" and
 * the "fresh" resources and runs the janitor with {@code --now} at the cut and a one-second grace period.
 */
class JanitorEmulatorTest {

    static final String A = "us-east-1";
    static final String B = "eu-west-1";
    static final String FAILED_KEY = "Fedora-Cloud-41-20261101.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261101.n.0.x86_64.raw.xz";
    static final String GOOD_KEY = "Fedora-Cloud-41-20261102.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261102.n.0.x86_64.raw.xz";
    static final String FLYING_KEY = "Fedora-Cloud-41-20261103.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261103.n.0.x86_64.raw.xz";
    static final String FRESH_KEY = "Fedora-Cloud-41-20261104.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261104.n.0.x86_64.raw.xz";

    static AwsEmulator emulator;
    Ec2Fixture aws;
    Instant cut;
    /** id -> region of every resource the janitor must delete. */
    final Map<String, String> leaks = new HashMap<>();
    final Set<String> marked = new TreeSet<>();
    final Set<String> survivors = new HashSet<>();
    String testInstance;
    String publicAmi;
    String usedSnapB;
    String foreignAmiB;
    String flyingVolume;
    String failedAmi;
    String failedSnap;

    @BeforeAll
    static void startEmulator() {
        emulator = AwsEmulator.builder().port(0).regions(List.of(A, B, "ap-south-1")).delays(Delays.zero()).build().start();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @BeforeEach
    void scenario() throws InterruptedException {
        emulator.reset();
        aws = new Ec2Fixture(emulator.endpoint());

        // Someone else's resources (no fedimg tag), old: must all survive.
        String launchSnapA = aws.snapshot(A, Map.of());
        String launchAmiA = aws.ami(A, "someone-elses-base", launchSnapA, Map.of());
        String launchSnapB = aws.snapshot(B, Map.of());
        String launchAmiB = aws.ami(B, "someone-elses-base", launchSnapB, Map.of());
        String foreignKey = aws.keyPair(A, "ops-key", Map.of());
        String foreignSg = aws.securityGroup(A, "ops-sg", Map.of());
        String foreignInstance = aws.instance(A, launchAmiA, "ops-key", List.of(foreignSg), Map.of("Name", "ops"));
        String foreignVolume = aws.volume(A, Map.of("Name", "ops-data"));
        survive(launchSnapA, launchAmiA, launchSnapB, launchAmiB, foreignKey, foreignSg, foreignInstance, foreignVolume);

        // Leaks of a failed run, old.
        String deadline = Instant.now().minusSeconds(1).toString();
        String testKeyId = aws.keyPair(A, "fedimg-test-leak", fedimg(FAILED_KEY, "test-key"));
        String testSg = aws.securityGroup(A, "fedimg-test-leak", fedimg(FAILED_KEY, "test-sg", LeakRules.EXPIRES_AT, deadline));
        testInstance = aws.instance(A, launchAmiA, "fedimg-test-leak", List.of(testSg), fedimg(FAILED_KEY, "test-instance"));
        String utilityVolume = aws.volume(A, fedimg(FAILED_KEY, "utility-volume"));
        String orphanSnap = aws.snapshot(A, fedimg(FAILED_KEY, "snapshot"));
        failedSnap = aws.snapshot(A, fedimg(FAILED_KEY, "snapshot"));
        failedAmi = aws.ami(A, "Fedora-Cloud-Base-41-20261101.n.0-hvm-gp3", failedSnap,
                fedimg(FAILED_KEY, "image", AwsTags.TEST_VERDICT, "failed", "fedimg:test-reason", "exit 3"));
        String untestedSnapB = aws.snapshot(B, fedimg(FAILED_KEY, "snapshot"));
        String untestedAmiB = aws.ami(B, "Fedora-Cloud-Base-41-20261101.n.0-hvm-standard", untestedSnapB,
                fedimg(FAILED_KEY, "image", AwsTags.SOURCE_AMI, failedAmi));
        String keyB = aws.keyPair(B, "fedimg-test-leak-b", fedimg(FAILED_KEY, "test-key"));
        leak(A, testKeyId, testSg, testInstance, utilityVolume, orphanSnap, failedSnap, failedAmi);
        leak(B, untestedSnapB, untestedAmiB, keyB);
        // A security group without a deadline: EC2 gives it no creation time, so it is marked first.
        marked.add(aws.securityGroup(A, "fedimg-undated", fedimg(FAILED_KEY, "test-sg")));

        // Published or passing fedimg resources, old: must survive.
        String publicSnap = aws.snapshot(A, fedimg(GOOD_KEY, "snapshot"));
        publicAmi = aws.ami(A, "Fedora-Cloud-Base-41-20261102.n.0-hvm-gp3", publicSnap,
                fedimg(GOOD_KEY, "image", AwsTags.TEST_VERDICT, "passed"));
        aws.makePublic(A, publicAmi, publicSnap);
        // Public without any verdict tag: being public alone protects it and its snapshot.
        String publicSnap2 = aws.snapshot(B, fedimg(GOOD_KEY, "snapshot"));
        String publicAmi2 = aws.ami(B, "Fedora-Cloud-Base-41-20261102.n.0-hvm-standard", publicSnap2, fedimg(GOOD_KEY, "image"));
        aws.makePublic(B, publicAmi2, publicSnap2);
        String passedSnap = aws.snapshot(A, fedimg(GOOD_KEY, "snapshot"));
        String passedAmi = aws.ami(A, "Fedora-Cloud-Base-41-20261102.n.0-hvm-standard", passedSnap,
                fedimg(GOOD_KEY, "image", AwsTags.TEST_VERDICT, "passed"));
        // A fedimg snapshot used by someone else's AMI is in use.
        usedSnapB = aws.snapshot(B, fedimg(GOOD_KEY, "snapshot"));
        foreignAmiB = aws.ami(B, "someone-elses-copy", usedSnapB, Map.of());
        // An old volume of an image that is still in flight (a fresh resource of it appears below).
        flyingVolume = aws.volume(A, fedimg(FLYING_KEY, "utility-volume"));
        survive(publicSnap, publicAmi, publicSnap2, publicAmi2, passedSnap, passedAmi, usedSnapB, foreignAmiB, flyingVolume);

        Thread.sleep(1500);
        cut = Instant.now();
        Thread.sleep(50);

        // Fresh fedimg resources, within the grace period: must survive.
        String freshVolume = aws.volume(A, fedimg(FRESH_KEY, "utility-volume"));
        String freshSnap = aws.snapshot(A, fedimg(FRESH_KEY, "snapshot"));
        String flyingInstanceB = aws.instance(B, launchAmiB, null, List.of(), fedimg(FLYING_KEY, "test-instance"));
        survive(freshVolume, freshSnap, flyingInstanceB);
    }

    @AfterEach
    void closeClients() {
        aws.close();
    }

    @Test
    void dryRunListsExactlyTheLeaksAndDeleteRemovesExactlyThem() {
        Map<String, Set<String>> before = live();
        Views.LiveResources resourcesBefore = emulator.inspect().liveResources();
        long mutationsBefore = mutations();

        JanitorRunner.Run dry = janitor(cut, "--json");
        assertThat(dry.exit()).as(dry.out() + dry.err()).isZero();
        assertThat(dry.ids("delete")).isEqualTo(new TreeSet<>(leaks.keySet()));
        assertThat(dry.ids("mark")).isEqualTo(marked);
        assertThat(dry.json().get("mode").asText()).isEqualTo("dry-run");
        assertThat(dry.keptReason(publicAmi)).isEqualTo("public");
        assertThat(dry.keptReason(usedSnapB)).isEqualTo("backs AMI " + foreignAmiB);
        assertThat(dry.keptReason(flyingVolume)).contains("is in flight").contains("test-instance");
        assertThat(live()).isEqualTo(before);
        assertThat(emulator.inspect().liveResources()).isEqualTo(resourcesBefore);
        assertThat(mutations()).as("a dry run changes nothing").isEqualTo(mutationsBefore);

        String rootVolume = aws.describeInstance(A, testInstance).blockDeviceMappings().get(0).ebs().volumeId();
        JanitorRunner.Run delete = janitor(cut, "--json", "--delete");
        assertThat(delete.exit()).as(delete.out() + delete.err()).isZero();
        assertThat(delete.idsWithResult("deleted")).isEqualTo(new TreeSet<>(leaks.keySet()));
        assertThat(delete.idsWithResult("marked")).isEqualTo(marked);

        Map<String, Set<String>> after = live();
        for (String region : before.keySet()) {
            Set<String> expected = new TreeSet<>(before.get(region));
            expected.removeAll(leaks.keySet());
            expected.remove(rootVolume);
            assertThat(after.get(region)).as("live resources in %s", region).isEqualTo(expected);
        }
        assertThat(after.values().stream().flatMap(Set::stream)).containsAll(survivors).containsAll(marked);
        assertThat(aws.describeInstance(A, testInstance).state().nameAsString()).isEqualTo("terminated");
        Views.LiveResources resourcesAfter = emulator.inspect().liveResources();
        // The leaks, plus the test instance's untagged root volume that went with it (delete on termination).
        assertThat(resourcesAfter.total()).isEqualTo(resourcesBefore.total() - leaks.size() - 1);
        assertThat(resourcesAfter.instances()).isEqualTo(resourcesBefore.instances() - 1);
        assertThat(resourcesAfter.images()).isEqualTo(resourcesBefore.images() - 2);
        assertThat(resourcesAfter.snapshots()).isEqualTo(resourcesBefore.snapshots() - 3);
        assertThat(resourcesAfter.keyPairs()).isEqualTo(resourcesBefore.keyPairs() - 2);
        assertThat(resourcesAfter.securityGroups()).isEqualTo(resourcesBefore.securityGroups() - 1);

        JanitorRunner.Run again = janitor(cut, "--json", "--delete");
        assertThat(again.exit()).isZero();
        assertThat(again.ids("delete")).isEmpty();
        assertThat(again.ids("mark")).isEmpty();
        assertThat(again.keptReason(marked.iterator().next())).contains("first seen by the janitor");
        assertThat(live()).isEqualTo(after);

        // One grace period after it was first seen, the undated group goes too; the fresh ones stay.
        JanitorRunner.Run later = janitor(cut.plusSeconds(1), "--json", "--delete");
        assertThat(later.exit()).as(later.out()).isZero();
        assertThat(later.idsWithResult("deleted")).isEqualTo(marked);
        assertThat(janitor(cut.plusSeconds(1), "--json").ids("delete")).isEmpty();
        Set<String> remaining = live().values().stream().flatMap(Set::stream).collect(java.util.stream.Collectors.toSet());
        assertThat(remaining).containsAll(survivors).doesNotContainAnyElementsOf(leaks.keySet()).doesNotContainAnyElementsOf(marked);
    }

    @Test
    void theTablePrintsEveryLeakWithRegionTypeAgeAndReason() {
        JanitorRunner.Run dry = janitor(cut);
        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("REGION", "TYPE", "ID", "NAME", "AGE", "ACTION", "REASON")
                .contains("test failed: exit 3; never published")
                .contains("never passed a test and never published")
                .contains("Dry run: would delete " + leaks.size())
                .contains("Nothing was changed");
        for (String id : leaks.keySet()) {
            assertThat(dry.out()).contains(id);
        }
        for (String id : survivors) {
            assertThat(dry.out()).doesNotContain(id);
        }
    }

    @Test
    void withoutRegionsEveryEnabledRegionIsSwept() {
        JanitorRunner.Run dry = JanitorRunner.run("--endpoint", emulator.endpoint().toString(), "--grace", "PT1S",
                "--now", cut.toString(), "--json");
        assertThat(dry.exit()).as(dry.out() + dry.err()).isZero();
        List<String> regions = new java.util.ArrayList<>();
        dry.json().get("regions").forEach(r -> regions.add(r.asText()));
        assertThat(regions).containsExactlyInAnyOrder(A, B, "ap-south-1");
        assertThat(dry.ids("delete")).isEqualTo(new TreeSet<>(leaks.keySet()));
    }

    @Test
    void aFailedDeletionIsReportedTheRestIsDoneAndTheNextRunFinishes() {
        emulator.faults().failCall("DeleteVolume", 1, "UnauthorizedOperation");

        JanitorRunner.Run first = janitor(cut, "--json", "--delete");
        assertThat(first.exit()).isEqualTo(Report.DELETE_FAILED);
        Set<String> failed = first.idsWithResult("failed");
        assertThat(failed).hasSize(1);
        assertThat(failed.iterator().next()).startsWith("vol-");
        Set<String> rest = new TreeSet<>(leaks.keySet());
        rest.removeAll(failed);
        assertThat(first.idsWithResult("deleted")).isEqualTo(rest);

        JanitorRunner.Run second = janitor(cut, "--json", "--delete");
        assertThat(second.exit()).isZero();
        assertThat(second.idsWithResult("deleted")).isEqualTo(failed);
    }

    @Test
    void nothingIsDeletedWhenARegionCannotBeRead() {
        emulator.faults().failCall("DescribeVolumes", 1, "UnauthorizedOperation");

        JanitorRunner.Run run = janitor(cut, "--json", "--delete");
        assertThat(run.exit()).isEqualTo(Report.INCOMPLETE);
        assertThat(run.json().get("errors").size()).isEqualTo(1);
        assertThat(run.json().get("errors").toString()).contains("UnauthorizedOperation");
        assertThat(run.idsWithResult("deleted")).isEmpty();
        assertThat(janitor(cut, "--json").ids("delete")).isEqualTo(new TreeSet<>(leaks.keySet()));
    }

    @Test
    void withinTheGracePeriodNothingIsALeak() {
        JanitorRunner.Run dry = JanitorRunner.run("--endpoint", emulator.endpoint().toString(), "--region", A + "," + B,
                "--json", "--delete");
        assertThat(dry.exit()).isZero();
        assertThat(dry.ids("delete")).isEmpty();
        assertThat(dry.json().get("grace").asText()).isEqualTo("PT6H");
    }

    @Test
    void theDeleterRefusesWhatBecamePublicAfterThePlanWasMade() {
        JanitorRunner.Run dry = janitor(cut, "--json");
        assertThat(dry.ids("delete")).contains(failedAmi, failedSnap);
        Ec2Inventory inventory = new Ec2Inventory(aws.clients);
        List<Resource> resources = new java.util.ArrayList<>(inventory.region(A).join());
        resources.replaceAll(r -> inventory.withVisibility(r).join());
        Plan plan = new LeakRules(cut, Duration.ofSeconds(1), Duration.ofDays(2), PipelineState.notConsulted())
                .decide(resources);
        List<Finding> amiAndSnapshot = plan.actionable().stream()
                .filter(f -> f.resource().id().equals(failedAmi) || f.resource().id().equals(failedSnap)).toList();
        assertThat(amiAndSnapshot).hasSize(2);

        aws.makePublic(A, failedAmi, failedSnap);
        List<Outcome> outcomes = new Ec2Deleter(aws.clients, new Ec2Deleter.Settings(Duration.ofSeconds(30),
                Duration.ofMillis(50), 3), cut).execute(A, amiAndSnapshot);

        assertThat(outcomes).extracting(Outcome::status).containsOnly(Outcome.Status.REFUSED);
        assertThat(outcomes).filteredOn(o -> o.finding().resource().id().equals(failedAmi))
                .extracting(Outcome::detail).containsExactly("became public since the plan");
        assertThat(aws.liveIds(A)).contains(failedAmi, failedSnap);
        assertThat(emulator.inspect().callCount("DeregisterImage")).isZero();
        assertThat(emulator.inspect().callCount("DeleteSnapshot")).isZero();
    }

    // --- helpers

    JanitorRunner.Run janitor(Instant now, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--endpoint", emulator.endpoint().toString(),
                "--region", A + "," + B, "--grace", "PT1S", "--now", now.toString()));
        args.addAll(List.of(extra));
        return JanitorRunner.run(args.toArray(String[]::new));
    }

    Map<String, Set<String>> live() {
        return Map.of(A, aws.liveIds(A), B, aws.liveIds(B));
    }

    long mutations() {
        long n = 0;
        for (String action : List.of("TerminateInstances", "DeleteVolume", "DeregisterImage", "DeleteSnapshot",
                "DeleteKeyPair", "DeleteSecurityGroup", "CreateTags", "ModifyImageAttribute")) {
            n += emulator.inspect().callCount(action);
        }
        return n;
    }

    void leak(String region, String... ids) {
        for (String id : ids) {
            leaks.put(id, region);
        }
    }

    void survive(String... ids) {
        survivors.addAll(List.of(ids));
    }

}
