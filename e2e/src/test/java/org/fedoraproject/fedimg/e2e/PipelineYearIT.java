package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The simulated year's whole-pipeline part (issue 17): a release and then {@code fedimg.year.nightlies} (10) nightlies
 * through every service (AMQP in, bridge, uploader, tester, replicator, bus out) under AWS's default public AMI quota
 * of 5, in 3 regions, x86_64 only, the nightly stream on gp3 only (per-stream settings). The rest of the year is
 * SimulatedYearTest's, on the engine. Opt-in, as it takes minutes: {@code -Dfedimg.year.pipeline=true}
 * ({@code ./mvnw -B -ntp -pl e2e -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=PipelineYearIT -Dfedimg.year.pipeline=true}).
 * <p>
 * Asserted after every compose: no region of it failed (so never on the quota), every region within the quota, the
 * release's AMIs public, tonight's nightly public; at the end: every AMI made private has its bus message, and no
 * snapshot is public behind a private AMI.
 */
@EnabledIfSystemProperty(named = "fedimg.year.pipeline", matches = "true")
class PipelineYearIT {

    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");

    @Test
    void aReleaseAndTenNightliesThroughThePipelineStayWithinTheQuota() throws Exception {
        int nightlies = Integer.getInteger("fedimg.year.nightlies", 10);
        String environment = "e2e" + UUID.randomUUID().toString().substring(0, 8);
        Path work = Files.createTempDirectory("fedimg-year-");
        Map<String, Map<String, String>> perService = E2eConfig.perService(environment, "fedimg-" + environment, work);
        // nightlies: gp3 only (one public AMI per nightly and region); the release: both volume types
        perService.get("uploader-service").put("fedimg.uploader.streams.nightly.compose-type", "nightly");
        perService.get("uploader-service").put("fedimg.uploader.streams.nightly.volume-types", "gp3");
        List<String> log = new ArrayList<>();
        Instant started = Instant.now();
        try (Pipeline pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), REGIONS,
                E2eConfig.common(), perService))) {
            pipeline.startInfrastructure();
            assertThat(pipeline.emulator().quotas().value("eu-west-1", Quota.PUBLIC_AMIS)).as("AWS's default").isEqualTo(5);
            try (RabbitBus bus = new RabbitBus(E2eConfig.amqpUrl(), List.of("org.fedoraproject." + environment + ".fedimg.#",
                    "org.fedoraproject." + environment + ".fedora_image_uploader.#"))) {
                pipeline.startServices();
                try (PipelineWatcher watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
                })) {
                    List<String> composes = new ArrayList<>();
                    composes.add("production:20261031");
                    for (int n = 1; n <= nightlies; n++) {
                        composes.add(String.format("nightly:202611%02d", n));
                    }
                    Set<String> releaseAmis = null;
                    int images = 0;
                    for (String c : composes) {
                        String type = c.substring(0, c.indexOf(':'));
                        String date = c.substring(c.indexOf(':') + 1);
                        Instant t0 = Instant.now();
                        try (LocalCompose compose = LocalCompose.generate(work.resolve(date), "43", 16, date, type,
                                List.of("x86_64")).serve()) {
                            bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change",
                                    compose.finishedMessageBody());
                            int expected = ++images;
                            bus.awaitUntil(Duration.ofMinutes(6), got -> got.stream()
                                    .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")).count() >= expected);
                            List<AmiPublished> results = watcher.seen(AmiPublished.class).stream()
                                    .filter(p -> p.composeId().equals(compose.composeId())).toList();
                            int variants = "nightly".equals(type) ? 1 : 2;
                            assertThat(results).as(compose.composeId()).hasSize(variants * REGIONS.size())
                                    .allSatisfy(p -> assertThat(p.outcome()).as(p.region() + ": " + p.reason())
                                            .isEqualTo(RegionOutcome.PUBLISHED));
                            Set<String> ids = results.stream().map(AmiPublished::amiId).collect(Collectors.toSet());
                            if (releaseAmis == null) {
                                releaseAmis = ids;
                            }
                            Map<String, Integer> publicPerRegion = new LinkedHashMap<>();
                            for (String region : REGIONS) {
                                List<Views.Image> pub = pipeline.emulator().inspect().images(region).stream()
                                        .filter(Views.Image::isPublic).toList();
                                publicPerRegion.put(region, pub.size());
                                Set<String> pubIds = pub.stream().map(Views.Image::imageId).collect(Collectors.toSet());
                                assertThat(pub).as("public in %s after %s", region, compose.composeId()).hasSizeLessThanOrEqualTo(5);
                                assertThat(pubIds).as("the release stays public").containsAll(
                                        releaseAmis.stream().filter(id -> pipeline.emulator().inspect().image(region, id).isPresent()).toList());
                                assertThat(pubIds).as("tonight's is public").containsAll(results.stream()
                                        .filter(p -> p.region().equals(region)).map(AmiPublished::amiId).toList());
                            }
                            log.add(String.format("%s %s: %d s, public per region %s", type, compose.composeId(),
                                    Duration.between(t0, Instant.now()).toSeconds(), publicPerRegion));
                        }
                    }
                    // every AMI made private has its bus message; no snapshot public behind a private AMI
                    List<RabbitBus.Received> lifecycle = bus.received().stream()
                            .filter(m -> m.routingKey().contains(".fedimg.image.lifecycle")).toList();
                    int privateAmis = 0;
                    for (String region : REGIONS) {
                        for (Views.Image i : pipeline.emulator().inspect().images(region)) {
                            if (i.isPublic() || !"passed".equals(i.tags().get("fedimg:test"))) {
                                continue;
                            }
                            privateAmis++;
                            assertThat(lifecycle).as("bus message for %s in %s", i.imageId(), region).anySatisfy(m -> {
                                assertThat(m.body().path("extra").path("id").asText()).isEqualTo(i.imageId());
                                assertThat(m.body().path("action").asText()).isEqualTo("made-private");
                                assertThat(m.body().path("destination").asText()).isEqualTo(region);
                            });
                            Views.Snapshot snap = pipeline.emulator().inspect().snapshot(region, i.rootSnapshotId()).orElseThrow();
                            assertThat(snap.createVolumePermissionGroups()).as("snapshot of private %s", i.imageId())
                                    .doesNotContain("all");
                        }
                    }
                    // 1 release (2 AMIs) + 3 nightlies fit under 5; each later nightly makes room for itself
                    assertThat(privateAmis).isEqualTo(Math.max(0, nightlies - 3) * REGIONS.size());
                    log.add(String.format("%d composes in %d s; %d AMIs made private, %d lifecycle bus messages",
                            composes.size(), Duration.between(started, Instant.now()).toSeconds(), privateAmis,
                            lifecycle.size()));
                }
            }
        } finally {
            log.forEach(l -> System.out.println("[year] " + l));
        }
    }
}
