package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.domain.HostKeyFingerprints;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The ssh transport against the emulator's qemu backend (skipped, with the reason, where QEMU is missing): the
 * project's x86_64 and aarch64 test images boot in QEMU, the guest's dropbear is reached through the port the
 * emulator forwards from the instance's own loopback address, its host key is accepted only because the
 * guest's cloud-init printed its fingerprint on the console (a console without one is refused), and the script
 * runs in the guest, whose exit code becomes the verdict.
 */
@QuarkusTest
@TestProfile(QemuSshTest.QemuSsh.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QemuSshTest {

    /** QemuBootTest's qemu emulator and timeouts, with the ssh transport pointed at the emulator's forwards. */
    public static class QemuSsh extends QemuBootTest.Qemu {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("fedimg.tester.transport", "ssh");
            // AwsEmulatorTestResource's qemu emulator forwards port 2222 of each instance's address to the guest's 22
            config.put("fedimg.tester.ssh.port", "2222");
            // the forward listens on loopback: no check-ip service is asked
            config.put("fedimg.tester.ssh.source-cidr", "127.0.0.1/32");
            config.put("fedimg.tester.ssh.require-console-fingerprint", "true");
            // cloud-init prints the fingerprints seconds after the kernel's banner made the status checks ok
            config.put("fedimg.tester.ssh.fingerprint-wait", "PT2M");
            return config;
        }
    }

    private static final Duration WAIT = Duration.ofMinutes(8);
    private static final Pattern HOST_KEY = Pattern.compile("(?m)^(?:ssh-ed25519|ecdsa-sha2-nistp256) ([A-Za-z0-9+/=]+)");

    @InjectAwsEmulator
    AwsEmulator emulator;

    private TopicProbe probe;
    private Topics topics;
    private TestAmis amis;

    @BeforeAll
    void connect() {
        for (String image : new String[] {"x86_64-uefi", "aarch64-uefi"}) {
            Optional<String> skip = TestImages.skipReason(image);
            assumeTrue(skip.isEmpty(), () -> "skipped: " + skip.orElse(""));
        }
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
    void theScriptRunsInTheGuestOverSshWithTheConsolesHostKeyAndItsExitCode() {
        // the same script on both: the aarch64 guest fails it, so the exit code can only be the guest's own
        Scripts.use("#!/bin/bash\necho \"over ssh: $(uname -m) kernel $(uname -r) uid $(id -u)\"\n"
                + "cat /etc/dropbear/ssh_host_*_key.pub\n"
                + "if [ \"$(uname -m)\" = aarch64 ]; then echo 'aarch64 fails on purpose'; exit 3; fi\nexit 0\n");
        AmiRegistered x86 = register("x86_64-uefi", "x86_64", "uefi-preferred");
        AmiRegistered arm = register("aarch64-uefi", "arm64", "uefi");
        topics.send(x86);
        topics.send(arm);
        AmiTested passed = topics.awaitTested(x86.imageKey(), 1, WAIT).get(0);
        AmiTested failed = topics.awaitTested(arm.imageKey(), 1, WAIT).get(0);

        assertThat(passed.verdict()).as(passed.reason() + "\n" + passed.consoleExcerpt()).isEqualTo(TestVerdict.PASSED);
        assertThat(passed.exitCode()).isZero();
        assertThat(passed.outputExcerpt()).contains("over ssh: x86_64 kernel 6.1.0").contains("uid 0");
        assertThat(failed.verdict()).as(failed.reason() + "\n" + failed.consoleExcerpt()).isEqualTo(TestVerdict.FAILED);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.outputExcerpt()).contains("over ssh: aarch64 kernel 6.1.0").contains("fails on purpose");
        assertThat(amis.amiTags(failed.ami().amiId())).containsEntry("fedimg:test-reason-code", "exit-nonzero");

        for (AmiTested tested : new AmiTested[] {passed, failed}) {
            Views.Instance instance = testInstance(tested.ami().amiId());
            assertThat(instance.tags()).containsEntry("fedimg:test-transport", "ssh");
            String console = instance.consoleOutput();
            assertThat(console).contains("Linux version 6.1.0")
                    .as("the script went over ssh, not through user-data").doesNotContain("FEDIMG-TEST-BEGIN");
            // the host keys the guest's sshd serves (read in the guest, over the session the tester accepted) are
            // the ones whose fingerprints cloud-init printed: the only ones require-console-fingerprint lets in
            Set<String> served = servedFingerprints(tested.outputExcerpt());
            assertThat(served).as(tested.outputExcerpt()).hasSize(2);
            assertThat(HostKeyFingerprints.parse(console)).containsAll(served);
        }
    }

    private AmiRegistered register(String image, String arch, String bootMode) {
        String snap = emulator.importSnapshot(TestAmis.REGION, TestImages.disk(image), Map.of());
        return amis.register(TestAmis.image("arm64".equals(arch) ? "aarch64" : "x86_64"), "gp3", TestAmis.REGION,
                snap, arch, bootMode);
    }

    private Views.Instance testInstance(String amiId) {
        return emulator.inspect().instances(TestAmis.REGION).stream()
                .filter(i -> amiId.equals(i.tags().get("fedimg:test-ami"))).findFirst().orElseThrow();
    }

    private static Set<String> servedFingerprints(String output) {
        Matcher m = HOST_KEY.matcher(output);
        Set<String> found = new LinkedHashSet<>();
        while (m.find()) {
            found.add(HostKeyFingerprints.of(Base64.getDecoder().decode(m.group(1))));
        }
        return found;
    }
}
