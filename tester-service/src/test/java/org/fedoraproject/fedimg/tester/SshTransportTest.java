package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.InjectAwsEmulator;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.SshServerResource;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterTestResource;
import org.fedoraproject.fedimg.tester.support.Topics;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The ssh transport against a real SSH server on loopback: temporary key pair and security group, login
 * as fedora with the temporary key, host key checked against the console, exit code from the channel.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
@QuarkusTestResource(TesterTestResource.class)
@QuarkusTestResource(value = SshServerResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectAwsEmulator
    AwsEmulator emulator;

    private TopicProbe probe;
    private Topics topics;
    private TestAmis amis;

    @BeforeAll
    void setUp() {
        probe = TopicProbe.forSharedBroker();
        topics = new Topics(probe);
        amis = new TestAmis(emulator.endpoint());
    }

    @AfterAll
    void tearDown() {
        probe.close();
        amis.close();
    }

    @AfterEach
    void consoleBackToTheRealFingerprint() {
        SshServerResource.consoleShowsFingerprint(SshServerResource.hostKeyFingerprint());
    }

    @Test
    void passingScriptOverSshWithTemporaryKeyAndGroup() {
        Scripts.use("#!/bin/bash\necho \"hello from $(basename \"$0\") over ssh\"\nexit 0\n");
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp3");
        long imports = emulator.inspect().callCount("ImportKeyPair");
        long groups = emulator.inspect().callCount("CreateSecurityGroup");
        int logins = SshServerResource.LOGINS.size();
        topics.send(event);

        AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.exitCode()).isZero();
        assertThat(tested.outputExcerpt()).contains("over ssh");
        assertThat(SshServerResource.LOGINS.subList(logins, SshServerResource.LOGINS.size()))
                .isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("fedora RSA"));
        assertThat(SshServerResource.COMMANDS).contains("bash -s");
        assertThat(emulator.inspect().callCount("ImportKeyPair") - imports).isEqualTo(1);
        assertThat(emulator.inspect().callCount("CreateSecurityGroup") - groups).isEqualTo(1);

        var instance = emulator.inspect().instances(TestAmis.REGION).stream()
                .filter(i -> event.ami().amiId().equals(i.imageId())).findFirst().orElseThrow();
        assertThat(instance.keyName()).isEqualTo("fedimg-test-" + event.ami().amiId() + "-a1");
        assertThat(instance.tags()).containsEntry("fedimg:test-transport", "ssh");
        awaitNoTestResources();
    }

    @Test
    void theTemporaryGroupOpensSshOnlyToTheTester() {
        Scripts.use("#!/bin/bash\nsleep 2\nexit 0\n");
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp3");
        topics.send(event);
        Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(emulator.inspect()
                .securityGroups(TestAmis.REGION).stream()
                .filter(g -> event.ami().amiId().equals(g.tags().get("fedimg:test-ami")))).singleElement()
                .satisfies(g -> {
                    assertThat(g.tags()).containsEntry("fedimg:purpose", "test-sg")
                            .containsEntry("fedimg:created-by", "fedimg");
                    assertThat(String.join(" ", g.ingress())).contains("127.0.0.1/32").doesNotContain("0.0.0.0/0");
                }));
        assertThat(emulator.inspect().keyPairs(TestAmis.REGION))
                .anySatisfy(k -> assertThat(k.tags()).containsEntry("fedimg:purpose", "test-key")
                        .containsEntry("fedimg:test-ami", event.ami().amiId()));
        assertThat(topics.awaitTested(event.imageKey(), 1, WAIT).get(0).verdict()).isEqualTo(TestVerdict.PASSED);
        awaitNoTestResources();
    }

    @Test
    void failingScriptOverSshCarriesTheChannelsExitCode() {
        Scripts.use("#!/bin/bash\necho 'selinux: not enforcing'\nexit 3\n");
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp2");
        topics.send(event);

        AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).isEqualTo(TestVerdict.FAILED);
        assertThat(tested.exitCode()).isEqualTo(3);
        assertThat(tested.outputExcerpt()).contains("selinux: not enforcing");
        awaitNoTestResources();
    }

    @Test
    void aHostKeyOtherThanTheConsolesIsRefusedBeforeTheScriptIsSent() {
        SshServerResource.consoleShowsFingerprint("SHA256:" + "A".repeat(43));
        Scripts.use("#!/bin/bash\necho must-not-run\nexit 0\n");
        int commands = SshServerResource.COMMANDS.size();
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp3");
        topics.send(event);

        AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).isEqualTo(TestVerdict.FAILED);
        assertThat(tested.reason()).contains("ssh host key " + SshServerResource.hostKeyFingerprint())
                .contains("is not among the console's");
        assertThat(SshServerResource.COMMANDS.size()).isEqualTo(commands);
        assertThat(amis.amiTags(event.ami().amiId())).containsEntry("fedimg:test-reason-code", "host-key-mismatch");
        awaitNoTestResources();
    }

    private void awaitNoTestResources() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(emulator.inspect().instances(TestAmis.REGION).stream()
                    .filter(i -> i.state().equals("pending") || i.state().equals("running"))).isEmpty();
            assertThat(emulator.inspect().keyPairs(TestAmis.REGION)).isEmpty();
            assertThat(emulator.inspect().securityGroups(TestAmis.REGION).stream()
                    .filter(g -> "test-sg".equals(g.tags().get("fedimg:purpose")))).isEmpty();
        });
    }
}
