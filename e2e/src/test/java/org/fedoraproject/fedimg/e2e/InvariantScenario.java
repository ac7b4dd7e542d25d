package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.e2e.BadInputs.BadInput;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * The invariant "an AMI whose test failed, or whose checksum failed, is never public in any region", attacked:
 * a compose whose every test fails, a compose whose image does not match its SHA-256, and a forged
 * {@code fedimg.amis.tested} record claiming a pass without a verified checksum. {@link InvariantCheck} then
 * goes over every region of the emulator, and is itself shown to catch an AMI made public behind the
 * pipeline's back. Writes {@code 50-invariant.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class InvariantScenario {

    private static final String FAILING_RELEASE = "42";
    private static final String BASE = HostilePipeline.REGIONS.get(0);

    private HostilePipeline p;
    private LocalCompose failing;
    private BadInput mismatch;
    private String mismatchLocation;
    private AmiTested forged;
    private InvariantCheck.Result result;
    private InvariantCheck.Result caught;
    private Duration took;

    @BeforeAll
    void attack() throws Exception {
        Instant start = Instant.now();
        p = HostilePipeline.get();
        p.failTests(true);
        try {
            failing = p.announceGood(FAILING_RELEASE);
            p.awaitAggregates(failing, Duration.ofMinutes(5));
        } finally {
            p.failTests(false);
        }
        BadInputs generator = new BadInputs(new BadInputs.Target(p.topic(), p.served(), p.baseUrl(), List.of(), false, null,
                HostilePipeline.BOUNDS), 50);
        mismatch = generator.one("checksum mismatch", 9000);
        mismatchLocation = generator.location(mismatch.marker());
        p.bus.publishRaw(p.topic(), mismatch.frames().get(0), Map.of());
        AmiTested failed = p.watcher.seen(AmiTested.class).stream()
                .filter(t -> t.composeId().equals(failing.composeId())).findFirst().orElseThrow();
        AmiRef a = failed.ami();
        forged = new AmiTested(UUID.randomUUID().toString(), failed.imageKey(), failed.composeId(), failed.traceId(),
                Instant.now(), failed.image(), new AmiRef(a.region(), a.amiId(), a.amiName(), a.snapshotId(),
                        a.ec2Architecture(), a.variant(), a.kmsKeyId(), a.shareWithAccounts(), false),
                TestVerdict.PASSED, 0, 1, "forged", null, "forged pass", a.amiId());
        try (TopicProbe probe = new TopicProbe(p.pipeline.broker().bootstrapServers())) {
            probe.send(forged, "tester");
        }
        LocalCompose good = p.announceGood(BadInputScenario.GOOD_RELEASE);
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> deadLetter(mismatch.marker(), DeadLetterReason.CHECKSUM_MISMATCH) != null
                        && forgedRefusal() != null);
        p.awaitAggregates(good, Duration.ofMinutes(5));
        Thread.sleep(3000);
        result = check();
        took = Duration.between(start, Instant.now());
    }

    private InvariantCheck.Result check() {
        return p.invariant(List.of(mismatchLocation));
    }

    private DeadLetter deadLetter(String composeId, DeadLetterReason reason) {
        return p.watcher.seen(DeadLetter.class).stream()
                .filter(d -> composeId.equals(d.composeId()) && reason.name().equals(d.reasonCode())).findFirst().orElse(null);
    }

    private DeadLetter forgedRefusal() {
        return p.watcher.seen(DeadLetter.class).stream()
                .filter(d -> "replicator".equals(d.service()) && DeadLetterReason.INVARIANT_VIOLATION.name().equals(d.reasonCode())
                        && d.originalPayload() != null && d.originalPayload().contains(forged.eventId()))
                .findFirst().orElse(null);
    }

    private Set<String> failingAmis() {
        return p.watcher.seen(AmiRegistered.class).stream().filter(r -> r.composeId().equals(failing.composeId()))
                .map(r -> r.ami().amiId()).collect(Collectors.toSet());
    }

    @Test
    @Order(1)
    void amisWhoseTestFailedAreNeverPublicAnywhere() {
        Set<String> amis = failingAmis();
        assertThat(amis).as("AMIs registered for the failing compose").hasSize(4);
        assertThat(p.watcher.seen(AmiTested.class)).filteredOn(t -> amis.contains(t.ami().amiId()))
                .extracting(AmiTested::verdict).containsOnly(TestVerdict.FAILED, TestVerdict.PASSED)
                .contains(TestVerdict.FAILED);
        assertThat(p.watcher.seen(ImagePublished.class)).filteredOn(a -> a.composeId().equals(failing.composeId()))
                .isNotEmpty().allSatisfy(a -> assertThat(a.outcome()).isEqualTo(ImageOutcome.REJECTED));
        assertThat(p.watcher.seen(AmiPublished.class)).filteredOn(x -> x.composeId().equals(failing.composeId()))
                .allSatisfy(x -> assertThat(x.outcome()).isEqualTo(RegionOutcome.FAILED));
        for (String region : HostilePipeline.REGIONS) {
            List<Views.Image> images = p.pipeline.emulator().inspect().images(region);
            assertThat(images).as("AMIs of the failing compose, or copies of them, in %s", region)
                    .filteredOn(i -> amis.contains(i.imageId()) || amis.contains(i.sourceImageId()))
                    .allSatisfy(i -> assertThat(i.isPublic()).as(i.imageId()).isFalse())
                    .allSatisfy(i -> assertThat(i.region()).isEqualTo(BASE));
        }
        assertThat(p.bus.received()).as("bus copy/publish messages of the failing compose")
                .filteredOn(m -> m.routingKey().contains(".fedimg.image.copy") || m.routingKey().contains(".fedimg.image.publish")
                        || m.routingKey().contains(".fedora_image_uploader."))
                .noneMatch(m -> m.body().toString().contains(failing.composeId()));
    }

    @Test
    @Order(2)
    void anImageWhoseChecksumFailedRegistersNoAmi() {
        assertThat(deadLetter(mismatch.marker(), DeadLetterReason.CHECKSUM_MISMATCH)).isNotNull();
        assertThat(p.watcher.seen(AmiRegistered.class)).noneMatch(r -> r.composeId().equals(mismatch.marker()));
        for (String region : HostilePipeline.REGIONS) {
            assertThat(p.pipeline.emulator().inspect().images(region))
                    .noneMatch(i -> mismatch.marker().equals(i.tags().get(org.fedoraproject.fedimg.aws.AwsTags.COMPOSE_ID)));
        }
    }

    @Test
    @Order(3)
    void aForgedPassWithoutAVerifiedChecksumIsRefused() {
        assertThat(forgedRefusal()).as("the replicator's dead letter for the forged record").isNotNull();
        String ami = forged.ami().amiId();
        for (String region : HostilePipeline.REGIONS) {
            assertThat(p.pipeline.emulator().inspect().images(region))
                    .filteredOn(i -> i.imageId().equals(ami) || ami.equals(i.sourceImageId()))
                    .allSatisfy(i -> assertThat(i.isPublic()).isFalse());
        }
    }

    @Test
    @Order(4)
    void everyPublicAmiAndSnapshotInEveryRegionTracesBackToAPassedVerifiedTest() {
        assertThat(result.violations()).isEmpty();
        assertThat(result.publicAmis()).as("public AMIs of the good compose checked").isPositive();
        assertThat(result.publicSnapshots()).isPositive();
    }

    /**
     * The check goes by the composes, not by fedimg: told the good compose lists other checksums than its files
     * have, or given no compose at all, it must report every public AMI.
     */
    @Test
    @Order(99)
    void theCheckGoesByTheImagesBytesAndTheComposesChecksums() {
        List<ComposeTruth.Image> misListed = ComposeTruth.readAll(p.announcedLocations()).stream()
                .map(i -> new ComposeTruth.Image(i.composeId(), i.key(), i.fileName(), i.arch(), "0".repeat(64),
                        i.listedSize(), i.fileSha256(), i.fileSize(), i.rawSha256(), i.rawSize(), i.rawBlocks()))
                .toList();
        var endpoint = p.pipeline.emulator().endpoint();
        try (SnapshotContents listed = new SnapshotContents(endpoint, misListed);
                SnapshotContents none = new SnapshotContents(endpoint, List.of())) {
            for (var contents : List.of(listed, none)) {
                List<InvariantCheck.Violation> amis = InvariantCheck.check(p.pipeline.emulator().inspect(), contents,
                        HostilePipeline.REGIONS, BASE, p.watcher.seen()).violations().stream()
                        .filter(v -> v.resourceId().startsWith("ami-")).toList();
                assertThat(amis).hasSize(result.publicAmis()).allSatisfy(v -> assertThat(v.problem())
                        .containsAnyOf("whose compose lists SHA-256 " + "0".repeat(64), "are no compose image's"));
            }
        }
    }

    /** Runs last: an AMI of the failing compose made public behind the pipeline's back must be caught. */
    @Test
    @Order(100)
    void theCheckCatchesAnAmiMadePublicBehindThePipelinesBack() {
        String ami = failingAmis().iterator().next();
        try (AwsClients aws = new AwsClients(AwsConfig.of(BASE, p.pipeline.emulator().endpoint()),
                new AwsCallMetrics(new SimpleMeterRegistry()))) {
            LaunchPermission all = LaunchPermission.builder().group("all").build();
            aws.ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).launchPermission(l -> l.add(all))).join();
            try {
                caught = check();
            } finally {
                aws.ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).launchPermission(l -> l.remove(all))).join();
            }
        }
        assertThat(caught.violations()).extracting(InvariantCheck.Violation::resourceId).containsExactly(ami);
        assertThat(check().violations()).isEmpty();
    }

    @AfterAll
    void report() {
        if (result == null) {
            return;
        }
        StringBuilder md = new StringBuilder("## The invariant: nothing untested or unverified is public\n\n");
        md.append("Attacks, on the pipeline of the bad-input section: a compose of ").append(failing.images().size())
                .append(" images whose test script fails (exit 3) on every AMI; a compose whose raw.xz does not match ")
                .append("its images.json SHA-256; a forged `fedimg.amis.tested` record claiming PASSED for one of the ")
                .append("failed AMIs with `checksumVerified=false`. Then `InvariantCheck` goes over every region of the ")
                .append("emulator, against the composes and EC2 rather than fedimg's tags: each public AMI's snapshot, read ")
                .append("block by block through EBS direct, must hold a compose image byte for byte (its first bytes have the ")
                .append("decompressed image's SHA-256), that compose's images.json must list the SHA-256 and size of the ")
                .append("file served, and its base-region AMI (EC2's source image of a copy) must have a PASSED verdict and ")
                .append("no FAILED one; each public snapshot must be that of such an AMI.\n\n");
        md.append("| figure | value |\n| --- | --- |\n");
        Set<String> amis = failingAmis();
        md.append("| AMIs of the failing compose (all FAILED) | ").append(amis.size()).append(", public in ")
                .append(publicCount(amis)).append(" regions |\n");
        md.append("| checksum mismatch | dead letter ")
                .append(deadLetter(mismatch.marker(), DeadLetterReason.CHECKSUM_MISMATCH) != null ? "CHECKSUM_MISMATCH" : "missing")
                .append(", AMIs registered: ").append(p.watcher.seen(AmiRegistered.class).stream()
                        .filter(r -> r.composeId().equals(mismatch.marker())).count()).append(" |\n");
        md.append("| forged pass without a verified checksum | ").append(forgedRefusal() != null
                ? "refused by the replicator (dead letter INVARIANT_VIOLATION)" : "not refused").append(" |\n");
        md.append("| self-test: an AMI made public behind the pipeline's back | ").append(caught == null ? "not run"
                : caught.violations().size() + " violation reported").append(" |\n");
        md.append("| time | ").append(took.toSeconds()).append(" s |\n\n");
        md.append(InvariantCheck.markdown(result)).append("\n\n");
        md.append("Command: every build (`./mvnw -B -ntp -pl e2e verify -Dit.test=HostileIT`) and `-Preliability` "
                + "(`HostileSuiteIT`). `InvariantCheck` (e2e test sources) is reusable by any suite with a "
                + "`PipelineWatcher` and the emulator.\n");
        ReportFragment.injected(ReportFragment.write("50-invariant.md", md.toString()), java.util.Map.of(
                "compose whose AMI test fails", 1L, "compose whose image does not match its checksum", 1L,
                "forged PASSED record without a verified checksum", 1L,
                "AMI made public behind the pipeline's back (self-test)", caught == null ? 0L : 1L));
    }

    private long publicCount(Set<String> amis) {
        return HostilePipeline.REGIONS.stream().filter(r -> p.pipeline.emulator().inspect().images(r).stream()
                .anyMatch(i -> i.isPublic() && (amis.contains(i.imageId()) || amis.contains(i.sourceImageId())))).count();
    }
}
