package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.support.OtlpStandIn;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterTestResource;
import org.fedoraproject.fedimg.tester.support.Topics;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The tester against the emulator's qemu backend (skipped, with the reason, where QEMU is missing): the
 * project's bootable test image passes through the user-data transport, its console showing the guest kernel;
 * the same image broken (one block corrupted, registered with the wrong boot mode or the wrong architecture)
 * fails with the status checks impaired, and none of them becomes public.
 */
@QuarkusTest
@TestProfile(QemuBootTest.Qemu.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QemuBootTest {

    /**
     * Boots under TCG take 10-60 s: room for them, but a broken image (impaired, which the tester waits out as on
     * EC2) fails after 100 s; a few VMs at once.
     */
    public static class Qemu implements QuarkusTestProfile {

        /**
         * The profile's own resources, and only these: a {@code @QuarkusTestResource} on a test class applies to
         * every test of the module, so a qemu emulator declared that way made the other tests boot in QEMU too.
         */
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(AwsEmulatorTestResource.class, Map.of("backend", "qemu")),
                    new TestResourceEntry(TesterTestResource.class), new TestResourceEntry(OtlpStandIn.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.tester.timeouts.running", "PT2M", "fedimg.tester.timeouts.status-ok", "PT100S",
                    "fedimg.tester.timeouts.script", "PT3M", "fedimg.tester.timeouts.job", "PT10M",
                    "fedimg.tester.timeouts.poll-interval", "PT1S", "fedimg.tester.max-concurrent-per-region", "4");
        }
    }

    private static final Duration WAIT = Duration.ofMinutes(8);
    private static final String IMAGE = "x86_64-uefi";

    @InjectAwsEmulator
    AwsEmulator emulator;

    private TopicProbe probe;
    private Topics topics;
    private TestAmis amis;

    @BeforeAll
    void connect() {
        Optional<String> skip = TestImages.skipReason(IMAGE);
        assumeTrue(skip.isEmpty(), () -> "skipped: " + skip.orElse(""));
        probe = TopicProbe.forSharedBroker();
        topics = new Topics(probe);
        amis = new TestAmis(emulator.endpoint());
    }

    @AfterAll
    void disconnect() {
        if (probe != null) {
            probe.close();
            amis.close();
        }
    }

    @Test
    void aGoodImagePassesAndBrokenOnesFailUnpublished() {
        Scripts.use("#!/bin/bash\necho \"booted $(uname -m) kernel $(uname -r)\"\nexit 0\n");
        Map<String, AmiRegistered> events = new LinkedHashMap<>();
        events.put("good", register(snapshot(false), "x86_64", "uefi-preferred"));
        events.put("corrupt", register(snapshot(true), "x86_64", "uefi-preferred"));
        events.put("legacy-bios", register(snapshot(false), "x86_64", "legacy-bios"));
        events.put("arm64", register(snapshot(false), "arm64", "uefi"));
        events.values().forEach(topics::send);
        Map<String, AmiTested> verdicts = new LinkedHashMap<>();
        events.forEach((name, e) -> verdicts.put(name, topics.awaitTested(e.imageKey(), 1, WAIT).get(0)));

        AmiTested good = verdicts.get("good");
        assertThat(good.verdict()).as(good.reason() + "\n" + good.consoleExcerpt()).isEqualTo(TestVerdict.PASSED);
        assertThat(good.outputExcerpt()).contains("booted x86_64 kernel 6.1.0");
        Views.Instance instance = emulator.inspect().instances(TestAmis.REGION).stream()
                .filter(i -> good.ami().amiId().equals(i.tags().get("fedimg:test-ami"))).findFirst().orElseThrow();
        assertThat(instance.consoleOutput()).contains("Linux version 6.1.0").contains("(IMDSv2)");

        for (String broken : new String[] {"corrupt", "legacy-bios", "arm64"}) {
            AmiTested tested = verdicts.get(broken);
            assertThat(tested.verdict()).as(broken + ": " + tested.reason()).isEqualTo(TestVerdict.FAILED);
            assertThat(amis.amiTags(tested.ami().amiId())).as(broken)
                    .containsEntry("fedimg:test", "failed").containsEntry("fedimg:test-reason-code", "status-checks");
            assertThat(tested.reason()).as(broken).contains("impaired");
        }
        for (AmiRegistered e : events.values()) {
            assertThat(emulator.inspect().image(TestAmis.REGION, e.ami().amiId()).orElseThrow().isPublic()).isFalse();
        }
    }

    private String snapshot(boolean corrupt) {
        String snap = emulator.importSnapshot(TestAmis.REGION, TestImages.disk(IMAGE), Map.of());
        if (corrupt) {
            var blocks = emulator.inspect().snapshotBlocks(TestAmis.REGION, snap);
            emulator.inspect().corruptSnapshotBlock(TestAmis.REGION, snap, blocks.get(blocks.size() / 2), false);
        }
        return snap;
    }

    private AmiRegistered register(String snap, String arch, String bootMode) {
        return amis.register(TestAmis.image("arm64".equals(arch) ? "aarch64" : "x86_64"), "gp3", TestAmis.REGION,
                snap, arch, bootMode);
    }
}
