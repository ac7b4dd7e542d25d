package org.fedoraproject.fedimg.replicator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.fedoraproject.fedimg.replicator.support.ReplicatorQuarkusTest;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.fedoraproject.fedimg.replicator.support.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe.Received;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * The service against the real broker and the AWS emulator with delays (copies pending for 2 s).
 * Each test uses its own compose, so they share one running service.
 */
@QuarkusTest
class ReplicationServiceTest extends ReplicatorQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    ReplicatorMetrics metrics;

    @Inject
    AsyncSemaphore slots;

    @BeforeEach
    void shorterDelays() {
        // Copies stay pending for 2 s (so concurrency is observable); the source's own life cycle is quicker.
        emulator.delays(Delays.fast().toBuilder().volumeCreation(Duration.ofMillis(200))
                .snapshotCompletion(Duration.ofMillis(500)).imageAvailable(Duration.ofMillis(500))
                .copyAvailable(Duration.ofSeconds(2)).build());
    }

    SourceAmis sources() {
        return new SourceAmis(aws.ec2(SourceAmis.BASE));
    }

    static String compose(String type) {
        return "Fedora-Cloud-41-20261125." + ("nightly".equals(type) ? "n" : "0") + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    List<String> regions() {
        return aws.ec2(SourceAmis.BASE).describeRegions(b -> b.allRegions(true)).join().regions().stream()
                .map(r -> r.regionName()).sorted().toList();
    }

    @Test
    void aPassReachesEveryRegionConcurrentlyAndIsPublicEverywhere() throws Exception {
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        List<String> regions = regions();
        assertThat(regions).hasSizeGreaterThanOrEqualTo(30);

        AtomicInteger peak = new AtomicInteger();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(metrics.inflight(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
        probe.send(tested, "tester");
        ImagePublished image;
        try {
            image = topics.aggregate(tested.imageKey(), WAIT);
        } finally {
            sampler.shutdownNow();
        }

        assertThat(image.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        assertThat(image.regions()).hasSize(regions.size())
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(RegionOutcome.PUBLISHED))
                .allSatisfy(r -> assertThat(r.isPublic()).isTrue());
        // Every copy was pending at the same time: the regions ran side by side, not one after another.
        assertThat(peak.get()).as("regions in flight at once").isGreaterThanOrEqualTo(30);

        String name = tested.ami().amiName();
        for (String region : regions) {
            Ec2AsyncClient ec2 = aws.ec2(region);
            List<Image> named = ec2.describeImages(b -> b.owners("self").filters(f -> f.name("name").values(name))).join().images();
            assertThat(named).as("one AMI named %s in %s", name, region).hasSize(1);
            Image ami = named.get(0);
            assertThat(launchGroups(ec2, ami.imageId())).as("launch permission in %s", region).contains("all");
            String snapshot = ami.blockDeviceMappings().get(0).ebs().snapshotId();
            assertThat(volumeGroups(ec2, snapshot)).as("snapshot permission in %s", region).contains("all");
            Map<String, String> tags = ami.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value()));
            assertThat(tags).containsEntry(AwsTags.IMAGE_KEY, tested.imageKey())
                    .containsEntry(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE)
                    .containsEntry(AwsTags.TEST_VERDICT, "passed");
            if (!region.equals(SourceAmis.BASE)) {
                assertThat(tags).containsEntry(AwsTags.SOURCE_AMI, tested.ami().amiId())
                        .containsEntry(AwsTags.VARIANT, "hvm-gp3");
            }
            assertThat(ami.deprecationTime()).as("production AMIs are not deprecated").isNull();
        }

        List<StageStatus> statuses = topics.statuses(tested.imageKey(),
                s -> s.stream().filter(x -> x.stage() == Stage.PUBLISH && x.state() == StageState.COMPLETED).count() >= regions.size(),
                WAIT);
        List<StageStatus> copies = statuses.stream().filter(s -> s.stage() == Stage.COPY && s.state() == StageState.COMPLETED).toList();
        assertThat(copies).hasSize(regions.size() - 1)
                .allSatisfy(s -> {
                    assertThat(s.service()).isEqualTo("replicator");
                    assertThat(s.sourceAmiId()).isEqualTo(tested.ami().amiId());
                    assertThat(s.amiId()).startsWith("ami-").isNotEqualTo(tested.ami().amiId());
                    assertThat(s.composeId()).isEqualTo(tested.composeId());
                    assertThat(s.variant()).isEqualTo(Samples.GP3);
                });
        assertThat(copies.stream().map(StageStatus::region)).doesNotContain(SourceAmis.BASE);

        // The catalogue, with the image key URL-encoded (it contains '/') and as is.
        String encoded = URLEncoder.encode(tested.imageKey(), StandardCharsets.UTF_8);
        given().urlEncodingEnabled(false).get("/images/" + encoded).then().statusCode(200)
                .body("outcome", equalTo("COMPLETE")).body("amis", hasSize(regions.size()));
        given().urlEncodingEnabled(false).get("/images/" + tested.imageKey()).then().statusCode(200)
                .body("imageKey", equalTo(tested.imageKey()));
        String euWest1 = image.regions().stream().filter(r -> r.region().equals("eu-west-1")).findFirst().orElseThrow().amiId();
        given().queryParam("compose", tested.composeId()).queryParam("region", "eu-west-1").queryParam("arch", "x86_64")
                .queryParam("release", "41").queryParam("variant", "hvm-gp3")
                .get("/amis").then().statusCode(200).body("$", hasSize(1)).body("[0].amiId", equalTo(euWest1))
                .body("[0].isPublic", equalTo(true));
        // "Which AMI do I use?": the newest usable one per release, arch, variant and region.
        given().queryParam("release", "41").queryParam("arch", "x86_64").queryParam("region", "eu-west-1")
                .queryParam("variant", "hvm-gp3").queryParam("latest", "true")
                .get("/amis").then().statusCode(200).body("$", hasSize(1)).body("[0].amiId", equalTo(euWest1));
        given().queryParam("compose", tested.composeId()).get("/images").then().statusCode(200)
                .body("$", hasSize(1)).body("[0].outcome", equalTo("COMPLETE"));
    }

    @Test
    void oneFailingRegionGivesPartialWithTheReasonAndTheOthersArePublished() {
        emulator.faults().failCopyImageInto("ap-south-2");
        AmiTested tested = sources().registerPassed(compose("nightly"), "nightly", Samples.GP3);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        assertThat(image.reason()).contains("ap-south-2");
        ImagePublished.Result failed = only(image, "ap-south-2");
        assertThat(failed.outcome()).isEqualTo(RegionOutcome.FAILED);
        assertThat(failed.isPublic()).isFalse();
        assertThat(failed.reason()).contains("ap-south-2").contains("failed");
        assertThat(image.regions()).filteredOn(r -> !r.region().equals("ap-south-2"))
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(RegionOutcome.PUBLISHED));
        // Nightlies are deprecated (30 days in %test as in production), every published region.
        List<AmiPublished> amis = topics.amis(tested.imageKey(), l -> l.size() >= image.regions().size(), WAIT);
        assertThat(amis).filteredOn(a -> a.outcome() == RegionOutcome.PUBLISHED)
                .allSatisfy(a -> assertThat(a.deprecationTime()).isAfter(tested.time().plus(Duration.ofDays(29))));
        Image inEuWest1 = aws.ec2("eu-west-1").describeImages(b -> b.imageIds(only(image, "eu-west-1").amiId())).join().images().get(0);
        assertThat(inEuWest1.deprecationTime()).isNotNull();
        topics.statuses(tested.imageKey(), s -> s.stream().anyMatch(x -> x.stage() == Stage.COPY && x.state() == StageState.FAILED
                && "ap-south-2".equals(x.region()) && x.reason() != null && x.reason().contains("ap-south-2")), WAIT);
    }

    @Test
    void blockPublicAccessInOneRegionFailsThatRegionClearlyAndLeavesItPrivate() {
        emulator.faults().blockPublicAccess("eu-west-3", true);
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        ImagePublished.Result blocked = only(image, "eu-west-3");
        assertThat(blocked.outcome()).isEqualTo(RegionOutcome.FAILED);
        assertThat(blocked.reason()).contains("block public access").contains("eu-west-3");
        Ec2AsyncClient ec2 = aws.ec2("eu-west-3");
        Image copy = ec2.describeImages(b -> b.imageIds(blocked.amiId())).join().images().get(0);
        assertThat(launchGroups(ec2, copy.imageId())).doesNotContain("all");
        assertThat(volumeGroups(ec2, copy.blockDeviceMappings().get(0).ebs().snapshotId()))
                .as("the snapshot is not made public before the AMI can be").doesNotContain("all");
        assertThat(image.regions()).filteredOn(r -> !r.region().equals("eu-west-3"))
                .allSatisfy(r -> assertThat(r.isPublic()).isTrue());
    }

    @Test
    void thePublicAmiQuotaExceededFailsThatRegionClearly() {
        emulator.faults().publicAmiQuotaExceeded("sa-east-1");
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        ImagePublished.Result quota = only(image, "sa-east-1");
        assertThat(quota.outcome()).isEqualTo(RegionOutcome.FAILED);
        assertThat(quota.reason()).contains("quota").contains("ResourceLimitExceeded").contains("sa-east-1");
        assertThat(quota.isPublic()).isFalse();
        topics.statuses(tested.imageKey(), s -> s.stream().anyMatch(x -> x.stage() == Stage.PUBLISH && x.state() == StageState.FAILED
                && "sa-east-1".equals(x.region())), WAIT);
    }

    @Test
    void throttlingIsRetriedByTheSdkWithBackoffAndEveryRegionStillCompletes() {
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        List<String> regions = regions();
        long copyCallsBefore = emulator.inspect().callCount("CopyImage");
        emulator.faults().throttle(0.2);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);
        emulator.faults().clear();
        assertThat(image.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        // Some CopyImage attempts were throttled and retried (the emulator counts every attempt) ...
        assertThat(emulator.inspect().callCount("CopyImage") - copyCallsBefore).isGreaterThan(regions.size() - 1);
        // ... with the same ClientToken, so there is still one copy per region.
        for (String region : regions) {
            assertThat(aws.ec2(region).describeImages(b -> b.owners("self")
                    .filters(f -> f.name("name").values(tested.ami().amiName()))).join().images()).hasSize(1);
        }
    }

    @Test
    void anEventDeliveredTwiceMakesNoSecondCopy() {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> slots.inUse() == 0);
        double finished = metrics.jobsFinished("acked");
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        probe.send(tested, "tester");
        ImagePublished first = topics.aggregate(tested.imageKey(), WAIT);
        assertThat(first.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> metrics.jobsFinished("acked") >= finished + 1);
        long copies = emulator.inspect().callCount("CopyImage");
        long publics = emulator.inspect().callCount("ModifyImageAttribute");

        probe.send(tested, "tester");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> metrics.jobsFinished("acked") >= finished + 2);

        assertThat(emulator.inspect().callCount("CopyImage")).isEqualTo(copies);
        assertThat(emulator.inspect().callCount("ModifyImageAttribute")).isEqualTo(publics);
        List<Received> all = topics.awaitAggregate(tested.imageKey(), WAIT);
        assertThat(Topics.images(all, tested.imageKey())).hasSize(1);
        assertThat(Topics.amis(all, tested.imageKey())).hasSize(first.regions().size());
    }

    @Test
    void twoDeliveriesAtOnceStillMakeOneCopyPerRegion() {
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3);
        long copiesBefore = emulator.inspect().callCount("CopyImage");
        probe.send(tested, "tester");
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);
        assertThat(image.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        // the second delivery waited for the first (one job per source AMI) and found every region done: it sent
        // no CopyImage of its own, so none raced the first's
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> slots.inUse() == 0);
        assertThat(emulator.inspect().callCount("CopyImage") - copiesBefore).isEqualTo(
                image.regions().stream().filter(r -> !r.region().equals(SourceAmis.BASE)).count());
        for (String region : regions()) {
            List<Image> named = aws.ec2(region).describeImages(b -> b.owners("self")
                    .filters(f -> f.name("name").values(tested.ami().amiName()))).join().images();
            assertThat(named).as("AMIs named %s in %s", tested.ami().amiName(), region).hasSize(1);
        }
    }

    @Test
    void aFailedTestIsRecordedAndNothingIsCopiedOrPublic() {
        long copiesBefore = emulator.inspect().callCount("CopyImage");
        AmiTested tested = sources().register(compose("production"), "production", Samples.GP3, TestVerdict.FAILED, true);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.REJECTED);
        assertThat(image.reason()).contains("test FAILED");
        assertThat(image.regions()).singleElement().satisfies(r -> {
            assertThat(r.isPublic()).isFalse();
            assertThat(r.region()).isEqualTo(SourceAmis.BASE);
        });
        assertNothingCopiedOrPublic(tested, copiesBefore);
        topics.statuses(tested.imageKey(), s -> s.stream().anyMatch(x -> x.stage() == Stage.PUBLISH && x.state() == StageState.FAILED), WAIT);
        given().urlEncodingEnabled(false).get("/images/" + URLEncoder.encode(tested.imageKey(), StandardCharsets.UTF_8))
                .then().statusCode(200).body("outcome", equalTo("REJECTED"));
        given().queryParam("compose", tested.composeId()).get("/amis").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void aPassWithoutAVerifiedChecksumIsRefusedAndDeadLettered() {
        long copiesBefore = emulator.inspect().callCount("CopyImage");
        AmiTested tested = sources().register(compose("production"), "production", Samples.GP3, TestVerdict.PASSED, false);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.REJECTED);
        assertThat(image.reason()).contains("checksum");
        assertNothingCopiedOrPublic(tested, copiesBefore);
        List<DeadLetter> dl = topics.deadLetters(d -> tested.imageKey().equals(d.imageKey()), WAIT);
        assertThat(dl).first().satisfies(d -> {
            assertThat(d.reasonCode()).isEqualTo("INVARIANT_VIOLATION");
            assertThat(d.service()).isEqualTo("replicator");
            assertThat(d.originalPayload()).contains(tested.eventId());
        });
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicAndTheServiceKeepsRunning() {
        String marker = "not json " + UUID.randomUUID();
        probe.sendRaw(org.fedoraproject.fedimg.events.Topics.AMIS_TESTED, "garbage", marker.getBytes(StandardCharsets.UTF_8));
        List<DeadLetter> dl = topics.deadLetters(d -> marker.equals(d.originalPayload()), WAIT);
        assertThat(dl).first().satisfies(d -> {
            assertThat(d.reasonCode()).isEqualTo("MALFORMED_MESSAGE");
            assertThat(d.reason()).contains("AmiTested");
            assertThat(d.source()).isEqualTo("kafka:" + org.fedoraproject.fedimg.events.Topics.AMIS_TESTED);
        });
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void encryptedVariantsAreSharedWithTheConfiguredAccountsWithTheRegionKeyAndNeverPublic() {
        AmiTested tested = sources().registerPassed(compose("production"), "production", Samples.GP3_ENCRYPTED);
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);
        Set<String> keyed = Set.of(SourceAmis.BASE, "eu-west-1", "us-west-2", "ap-southeast-2");

        assertThat(image.regions()).filteredOn(r -> keyed.contains(r.region())).hasSize(keyed.size())
                .allSatisfy(r -> {
                    assertThat(r.outcome()).isEqualTo(RegionOutcome.SHARED);
                    assertThat(r.isPublic()).isFalse();
                });
        // A region without a configured KMS key is a clear failure, never a silent skip.
        assertThat(image.regions()).filteredOn(r -> !keyed.contains(r.region()))
                .allSatisfy(r -> assertThat(r.reason()).contains("no KMS key configured"));
        assertThat(image.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        Ec2AsyncClient ec2 = aws.ec2("eu-west-1");
        Image copy = ec2.describeImages(b -> b.imageIds(only(image, "eu-west-1").amiId())).join().images().get(0);
        assertThat(copy.blockDeviceMappings().get(0).ebs().kmsKeyId()).contains("alias/fedimg-eu-west-1");
        assertThat(launchGroups(ec2, copy.imageId())).doesNotContain("all");
        assertThat(launchUsers(ec2, copy.imageId())).containsExactly("111122223333");
    }

    @Test
    void twoVariantsOfOneImageGiveOneAggregateWrittenAfterEveryRegionResult() {
        String compose = compose("production");
        AmiTested gp3 = sources().registerPassed(compose, "production", Samples.GP3);
        AmiTested standard = sources().registerPassed(compose, "production", Samples.STANDARD);
        probe.send(gp3, "tester");
        // The aggregate must wait for the second variant, which arrives later.
        List<AmiPublished> first = topics.amis(gp3.imageKey(), l -> l.size() >= regions().size(), WAIT);
        assertThat(first).allSatisfy(a -> assertThat(a.sourceAmi().variant()).isEqualTo(Samples.GP3));
        probe.send(standard, "tester");
        List<Received> all = topics.awaitAggregate(gp3.imageKey(), WAIT);

        List<ImagePublished> images = Topics.images(all, gp3.imageKey());
        assertThat(images).hasSize(1);
        assertThat(images.get(0).outcome()).isEqualTo(ImageOutcome.COMPLETE);
        assertThat(images.get(0).regions()).hasSize(2 * regions().size());
        Received aggregate = all.stream().filter(r -> gp3.imageKey().equals(r.key())).findFirst().orElseThrow();
        List<Received> perRegion = all.stream().filter(r -> r.key() != null && r.key().startsWith(gp3.imageKey() + "#")).toList();
        assertThat(perRegion).hasSize(2 * regions().size())
                .allSatisfy(r -> {
                    assertThat(r.partition()).as("same partition as the aggregate").isEqualTo(aggregate.partition());
                    assertThat(r.offset()).as("written before the aggregate").isLessThan(aggregate.offset());
                });
    }

    private void assertNothingCopiedOrPublic(AmiTested tested, long copiesBefore) {
        assertThat(emulator.inspect().callCount("CopyImage")).isEqualTo(copiesBefore);
        Ec2AsyncClient base = aws.ec2(SourceAmis.BASE);
        assertThat(launchGroups(base, tested.ami().amiId())).isEmpty();
        assertThat(volumeGroups(base, tested.ami().snapshotId())).isEmpty();
        for (String region : List.of("eu-west-1", "ap-south-2", "us-west-2")) {
            assertThat(aws.ec2(region).describeImages(b -> b.owners("self").filters(f -> f.name("name").values(tested.ami().amiName())))
                    .join().images()).isEmpty();
        }
    }

    static ImagePublished.Result only(ImagePublished image, String region) {
        return image.regions().stream().filter(r -> r.region().equals(region)).findFirst().orElseThrow();
    }

    static List<String> launchGroups(Ec2AsyncClient ec2, String amiId) {
        return ec2.describeImageAttribute(b -> b.imageId(amiId).attribute("launchPermission")).join().launchPermissions().stream()
                .map(LaunchPermission::groupAsString).filter(g -> g != null).toList();
    }

    static List<String> launchUsers(Ec2AsyncClient ec2, String amiId) {
        return ec2.describeImageAttribute(b -> b.imageId(amiId).attribute("launchPermission")).join().launchPermissions().stream()
                .map(LaunchPermission::userId).filter(g -> g != null).toList();
    }

    static List<String> volumeGroups(Ec2AsyncClient ec2, String snapshotId) {
        return ec2.describeSnapshotAttribute(b -> b.snapshotId(snapshotId).attribute("createVolumePermission")).join()
                .createVolumePermissions().stream().map(CreateVolumePermission::groupAsString).filter(g -> g != null).toList();
    }

}
