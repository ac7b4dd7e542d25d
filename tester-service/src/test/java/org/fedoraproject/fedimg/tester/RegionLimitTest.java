package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.job.RegionLimiter;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * {@code max-concurrent-per-region} through the whole service: the test profile allows one test instance
 * per region and runs one channel copy per partition, so several records are in flight at once. Which
 * region waits, and for whom, is made certain by the test holding the region's only slot itself; what ran
 * at once is read from the emulator's launch and termination records, never from how long anything took.
 */
@QuarkusTest
class RegionLimitTest extends TesterQuarkusTest {

    private static final String LIMITED = TestAmis.REGION;
    private static final String OTHER = "eu-west-1";
    private static final int PARTITIONS = 4;

    @Inject
    RegionLimiter limiter;

    @Test
    void oneTestInstanceAtATimeInARegionWhileAnotherRegionProceeds() {
        Config config = ConfigProvider.getConfig();
        assertThat(config.getValue("fedimg.tester.max-concurrent-per-region", Integer.class)).isEqualTo(1);
        assertThat(config.getValue("mp.messaging.incoming.amis-registered.concurrency", Integer.class))
                .isEqualTo(PARTITIONS);
        awaitOneConsumerPerPartition(config);
        Scripts.use("#!/bin/bash\necho limited\nexit 0\n");
        // one image per partition, so every record has a channel copy of its own
        List<ImageSpec> images = imagesOnDistinctPartitions();
        List<AmiRegistered> limited = new ArrayList<>();
        for (ImageSpec image : images.subList(0, 3)) {
            limited.add(amis.register(image, "gp3", LIMITED));
        }
        AmiRegistered other = amis.register(images.get(3), "gp3", OTHER);
        long launchesBefore = emulator.inspect().callCount("RunInstances", LIMITED);

        // a test already holds the region's only slot
        CompletableFuture<Void> release = new CompletableFuture<>();
        limiter.withSlot(LIMITED, () -> Uni.createFrom().completionStage(release)).subscribe().with(v -> {
        }, t -> {
        });
        assertThat(limiter.inUse(LIMITED)).isEqualTo(1);
        limited.forEach(topics::send);
        topics.send(other);

        AmiTested proceeded = topics.awaitTested(other.imageKey(), 1, WAIT).get(0);
        assertThat(proceeded.verdict()).as(proceeded.reason()).isEqualTo(TestVerdict.PASSED);
        Awaitility.await().atMost(WAIT).until(() -> limiter.waiting(LIMITED) == 3);
        assertThat(emulator.inspect().callCount("RunInstances", LIMITED)).as("nothing launched while the slot is held")
                .isEqualTo(launchesBefore);

        release.complete(null);
        for (AmiRegistered event : limited) {
            AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
            assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        }
        List<Views.Instance> instances = limited.stream().map(this::testInstanceOf).toList();
        assertThat(maxAtOnce(instances)).as("test instances alive at once in %s", LIMITED).isEqualTo(1);
        awaitNoTestResources();
    }

    /**
     * The variants of one image share a key, so a partition and a channel copy; they are still tested side by
     * side. With the region's only slot held by the test, both variants' jobs are taken at once and both wait for
     * the slot; one record at a time, the second would not even have been read.
     */
    @Test
    void theVariantsOfOneImageAreTakenTogetherNotOneAfterTheOther() {
        Scripts.use("#!/bin/bash\necho variants\nexit 0\n");
        ImageSpec image = TestAmis.image("x86_64");
        AmiRegistered gp3 = amis.register(image, "gp3", LIMITED);
        AmiRegistered standard = amis.register(image, "standard", LIMITED);
        assertThat(gp3.imageKey()).isEqualTo(standard.imageKey());
        CompletableFuture<Void> release = new CompletableFuture<>();
        limiter.withSlot(LIMITED, () -> Uni.createFrom().completionStage(release)).subscribe().with(v -> {
        }, t -> {
        });
        topics.send(gp3);
        topics.send(standard);
        Awaitility.await().atMost(WAIT).until(() -> limiter.waiting(LIMITED) == 2);

        release.complete(null);
        for (AmiRegistered event : List.of(gp3, standard)) {
            assertThat(topics.awaitTested(event.imageKey(), 2, WAIT)).filteredOn(t -> t.ami().amiId()
                    .equals(event.ami().amiId())).singleElement()
                    .satisfies(t -> assertThat(t.verdict()).as(t.reason()).isEqualTo(TestVerdict.PASSED));
        }
        awaitNoTestResources();
    }

    /**
     * Another tester replica's test instance (as it tags it) counts: with it alive, the region is full and nothing
     * is launched, however free this process's own slot is; once it is gone, the test runs.
     */
    @Test
    void aTestInstanceOfAnotherTesterReplicaCountsAgainstTheLimit() {
        Scripts.use("#!/bin/bash\necho limited\nexit 0\n");
        String foreign = launchAnotherReplicasTestInstance();
        long launchesBefore = emulator.inspect().callCount("RunInstances", LIMITED);

        AmiRegistered ours = registerAmi();
        topics.send(ours);
        Awaitility.await().atMost(WAIT).until(() -> limiter.waitingForRoom(LIMITED) == 1);
        assertThat(limiter.inUse(LIMITED)).as("this process's own slot is taken by the waiting job only").isEqualTo(1);
        assertThat(emulator.inspect().callCount("RunInstances", LIMITED)).as("nothing launched while the region is full")
                .isEqualTo(launchesBefore);

        amis.ec2(LIMITED).terminateInstances(b -> b.instanceIds(foreign)).join();
        AmiTested tested = topics.awaitTested(ours.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        Views.Instance other = emulator.inspect().instance(LIMITED, foreign).orElseThrow();
        assertThat(testInstanceOf(ours).launchTime()).as("launched after the other tester's instance ended")
                .isAfterOrEqualTo(other.terminatedAt());
        awaitNoTestResources();
    }

    /** Another tester replica's test instance, tagged as it tags them, for another AMI, alive until the test ends it. */
    private String launchAnotherReplicasTestInstance() {
        AmiRegistered theirs = amis.register(TestAmis.image("x86_64"), "gp3", LIMITED);
        return amis.ec2(LIMITED).runInstances(b -> b.imageId(theirs.ami().amiId()).instanceType("t3.small")
                .minCount(1).maxCount(1).tagSpecifications(spec(ResourceType.INSTANCE, theirs, "test-instance", "1",
                        Instant.now().plus(Duration.ofHours(1)).toString())))
                .join().instances().get(0).instanceId();
    }

    /** The most instances alive at the same moment, from their launch and termination times. */
    private static int maxAtOnce(List<Views.Instance> instances) {
        record Change(Instant at, int delta) {
        }
        List<Change> changes = new ArrayList<>();
        for (Views.Instance i : instances) {
            assertThat(i.terminatedAt()).as("%s terminated", i.instanceId()).isNotNull();
            changes.add(new Change(i.launchTime(), 1));
            changes.add(new Change(i.terminatedAt(), -1));
        }
        // at the same instant an end counts before a start: the slot is given back before the next launch
        changes.sort(Comparator.comparing(Change::at).thenComparingInt(Change::delta));
        int alive = 0;
        int max = 0;
        for (Change c : changes) {
            alive += c.delta();
            max = Math.max(max, alive);
        }
        return max;
    }

    private static List<ImageSpec> imagesOnDistinctPartitions() {
        Map<Integer, ImageSpec> byPartition = new TreeMap<>();
        while (byPartition.size() < PARTITIONS) {
            ImageSpec image = TestAmis.image("x86_64");
            byPartition.putIfAbsent(partitionOf(ImageKeys.of(TestAmis.composeOf(image), image.fileName())), image);
        }
        return List.copyOf(byPartition.values());
    }

    /** Where the probe's producer (Kafka's default partitioner) puts a record with this key. */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private void awaitOneConsumerPerPartition(Config config) {
        String group = config.getValue("mp.messaging.incoming.amis-registered.group.id", String.class);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getValue("kafka.bootstrap.servers", String.class)))) {
            Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                var members = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
                Set<Integer> partitions = new TreeSet<>();
                for (MemberDescription m : members) {
                    if (m.assignment().topicPartitions().size() != 1) {
                        return false;
                    }
                    partitions.add(m.assignment().topicPartitions().iterator().next().partition());
                }
                return members.size() == PARTITIONS && partitions.size() == PARTITIONS;
            });
        }
    }
}
