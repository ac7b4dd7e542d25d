package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole pipeline on the emulator's qemu backend (skipped, with the reason, where QEMU is missing): a
 * compose of the project's bootable x86_64 and aarch64 test images goes in; every AMI the tester launches boots
 * the bytes the uploader wrote, in QEMU, runs the test through cloud-init's user-data, and only then is public.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealBootIT {

    private static final List<String> REGIONS = List.of("us-east-1", "eu-west-1");
    private final String environment = "e2eboot" + UUID.randomUUID().toString().substring(0, 8);
    private Pipeline pipeline;
    private LocalCompose compose;
    private RabbitBus bus;
    private PipelineWatcher watcher;
    private Set<String> imageKeys;

    @BeforeAll
    void runPipeline() throws Exception {
        Map<String, Path> images = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : Map.of("x86_64", "x86_64-hybrid", "aarch64", "aarch64-uefi").entrySet()) {
            String[] why = {""};
            Optional<Path> xz = TestImages.compressed(e.getValue(), r -> why[0] = r);
            assumeTrue(xz.isPresent(), () -> "skipped: " + why[0]);
            images.put(e.getKey(), xz.get());
        }
        Path work = Files.createTempDirectory("fedimg-e2e-boot-");
        compose = LocalCompose.generateBootable(work, "43", images).serve();
        imageKeys = compose.images().stream().map(i -> ImageKeys.of(compose.composeId(), i.fileName()))
                .collect(Collectors.toSet());
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), REGIONS,
                E2eConfig.common(), E2eConfig.perService(environment, "fedimg-" + environment, work),
                InstanceBackend.QEMU));
        pipeline.startInfrastructure();
        bus = new RabbitBus(E2eConfig.amqpUrl(), List.of("org.fedoraproject." + environment + ".fedimg.#",
                "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
        pipeline.startServices();
        watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
        });
        bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change", compose.finishedMessageBody());
        bus.awaitUntil(Duration.ofMinutes(15), got -> got.stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")).count() >= imageKeys.size());
    }

    @AfterAll
    void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (compose != null) {
            compose.close();
        }
    }

    @Test
    void everyAmiBootsItsOwnDiskAndPassesBeforeItIsPublic() {
        List<ImagePublished> aggregates = watcher.seen(ImagePublished.class);
        assertThat(aggregates).extracting(ImagePublished::imageKey).containsAll(imageKeys);
        assertThat(aggregates).allSatisfy(a -> assertThat(a.outcome()).as(a.reason()).isEqualTo(ImageOutcome.COMPLETE));
        for (String key : imageKeys) {
            assertThat(watcher.seen(AmiPublished.class).stream()
                    .filter(p -> p.imageKey().equals(key) && p.outcome() == RegionOutcome.PUBLISHED)
                    .map(AmiPublished::region).collect(Collectors.toSet())).as(key)
                    .containsExactlyInAnyOrderElementsOf(REGIONS);
        }
        List<AmiTested> tested = watcher.seen(AmiTested.class);
        assertThat(tested).isNotEmpty().allSatisfy(t -> assertThat(t.verdict()).as(t.reason())
                .isEqualTo(TestVerdict.PASSED));
        List<Views.Instance> instances = pipeline.emulator().inspect().instances(REGIONS.get(0)).stream()
                .filter(i -> "test-instance".equals(i.tags().get("fedimg:purpose"))).toList();
        assertThat(instances).hasSizeGreaterThanOrEqualTo(2);
        // both architectures booted their own kernel in QEMU and ran the test from the metadata service
        assertThat(instances).anySatisfy(i -> assertThat(i.consoleOutput())
                .contains("Linux version 6.1.0").contains("cloud-amd64").contains("fedimg local test: ok"));
        assertThat(instances).anySatisfy(i -> assertThat(i.consoleOutput())
                .contains("Linux version 6.1.0").contains("cloud-arm64").contains("fedimg local test: ok"));
    }
}
