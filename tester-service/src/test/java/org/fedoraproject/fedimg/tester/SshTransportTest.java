package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.support.CheckIpServer;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.SshServerResource;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TestNetwork;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The ssh transport against a real SSH server on loopback, the way a release engineer runs it: test instances
 * in a private subnet of their own VPC with the operator's security group, the tester's address learnt from a
 * check-ip service, a temporary key pair and security group, login as fedora to the instance's private
 * address, the host key checked against the console, the exit code from the channel.
 */
@QuarkusTest
@QuarkusTestResource(value = SshServerResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = TestNetwork.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = CheckIpServer.class, restrictToAnnotatedClass = true)
class SshTransportTest extends TesterQuarkusTest {

    @AfterEach
    void consoleBackToTheRealFingerprint() {
        SshServerResource.consoleShowsFingerprint(SshServerResource.hostKeyFingerprint());
    }

    @Test
    void passingScriptOverSshToThePrivateAddressInTheConfiguredSubnet() {
        Scripts.use("#!/bin/bash\necho \"hello from $(basename \"$0\") over ssh\"\nexit 0\n");
        AmiRegistered event = registerAmi();
        long imports = emulator.inspect().callCount("ImportKeyPair");
        long groups = emulator.inspect().callCount("CreateSecurityGroup");
        int logins = SshServerResource.logins().size();

        AmiTested tested = verdictOf(event);
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.exitCode()).isZero();
        assertThat(tested.outputExcerpt()).contains("over ssh");
        assertThat(emulator.inspect().callCount("ImportKeyPair") - imports).isEqualTo(1);
        assertThat(emulator.inspect().callCount("CreateSecurityGroup") - groups).isEqualTo(1);

        Views.Instance instance = testInstanceOf(event);
        assertThat(instance.subnetId()).isEqualTo(TestNetwork.subnetId());
        assertThat(instance.vpcId()).isEqualTo(TestNetwork.vpcId());
        assertThat(instance.publicIp()).as("the subnet gives no public address").isNull();
        assertThat(instance.privateIp()).isIn(TestNetwork.privateAddresses());
        // the operator's group and the temporary one; EC2 refuses a group of another VPC than the subnet's
        assertThat(instance.securityGroupIds()).hasSize(2).contains(TestNetwork.operatorGroupId());
        assertThat(instance.keyName()).isEqualTo("fedimg-test-" + event.ami().amiId() + "-a1");
        assertThat(instance.tags()).containsEntry("fedimg:test-transport", "ssh");
        assertThat(SshServerResource.logins().subList(logins, SshServerResource.logins().size()))
                .isNotEmpty().allSatisfy(l -> assertThat(l).isEqualTo("fedora RSA to " + instance.privateIp()));
        assertThat(SshServerResource.commands()).contains("bash -s");
        awaitNoTestResources();
        assertThat(emulator.inspect().securityGroups(TestAmis.REGION)).as("the operator's group is not ours to delete")
                .anySatisfy(g -> assertThat(g.groupId()).isEqualTo(TestNetwork.operatorGroupId()));
    }

    @Test
    void theTemporaryGroupIsInTheSubnetsVpcAndOpensSshOnlyToTheTestersOwnAddress() {
        Path gate = Scripts.newGate();
        Scripts.use(Scripts.waitingFor(gate));
        AmiRegistered event = registerAmi();
        topics.send(event);
        int port = ConfigProvider.getConfig().getValue("fedimg.tester.ssh.port", Integer.class);

        // the group is complete once the instance it was made for is launched
        Awaitility.await().atMost(WAIT).until(() -> testInstancesIn(TestAmis.REGION).stream()
                .anyMatch(i -> event.ami().amiId().equals(i.tags().get("fedimg:test-ami"))));
        Views.SecurityGroup group = emulator.inspect().securityGroups(TestAmis.REGION).stream()
                .filter(g -> event.ami().amiId().equals(g.tags().get("fedimg:test-ami"))).findFirst().orElseThrow();
        assertThat(group.name()).isEqualTo("fedimg-test-" + event.ami().amiId() + "-a1");
        assertThat(group.tags()).containsEntry("fedimg:purpose", "test-sg").containsEntry("fedimg:created-by", "fedimg");
        assertThat(group.ingress()).containsExactly("tcp:" + port + "-" + port + ":" + CheckIpServer.SEEN_AS + "/32");
        assertThat(amis.ec2().describeSecurityGroups(b -> b.groupIds(group.groupId())).join().securityGroups().get(0)
                .vpcId()).isEqualTo(TestNetwork.vpcId());
        // asked once per process, however many runs
        assertThat(CheckIpServer.REQUESTS.get()).isEqualTo(1);
        assertThat(emulator.inspect().keyPairs(TestAmis.REGION))
                .anySatisfy(k -> assertThat(k.tags()).containsEntry("fedimg:purpose", "test-key")
                        .containsEntry("fedimg:test-ami", event.ami().amiId()));
        Scripts.open(gate);

        AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.outputExcerpt()).contains("gate open");
        awaitNoTestResources();
    }

    @Test
    void failingScriptOverSshCarriesTheChannelsExitCode() {
        Scripts.use("#!/bin/bash\necho 'selinux: not enforcing'\nexit 3\n");
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp2");
        AmiTested tested = verdictOf(event);
        assertFailed(tested, "exit-nonzero");
        assertThat(tested.exitCode()).isEqualTo(3);
        assertThat(tested.outputExcerpt()).contains("selinux: not enforcing");
        awaitNoTestResources();
    }

    @Test
    void aHostKeyOtherThanTheConsolesIsRefusedBeforeTheScriptIsSent() {
        SshServerResource.consoleShowsFingerprint("SHA256:" + "A".repeat(43));
        Scripts.use("#!/bin/bash\necho must-not-run\nexit 0\n");
        int commands = SshServerResource.commands().size();
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "host-key-mismatch");
        assertThat(tested.reason()).contains("ssh host key " + SshServerResource.hostKeyFingerprint())
                .contains("is not among the console's");
        assertThat(SshServerResource.commands().size()).isEqualTo(commands);
        awaitNoTestResources();
    }

    @Test
    void withoutAFingerprintOnTheConsoleTheHostIsNotTrusted() {
        // SshServerResource sets ssh.require-console-fingerprint=true
        SshServerResource.consoleShowsNoFingerprint();
        Scripts.use("#!/bin/bash\necho must-not-run\nexit 0\n");
        int commands = SshServerResource.commands().size();
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "host-key-mismatch");
        assertThat(tested.reason()).contains("not verifiable: no fingerprint on the console");
        assertThat(SshServerResource.commands().size()).isEqualTo(commands);
        awaitNoTestResources();
    }

    @Test
    void aRefusedLaunchStillRemovesTheTemporaryKeyAndGroup() {
        emulator.faults().failCall("RunInstances", 1, "UnauthorizedOperation");
        AmiRegistered event = registerAmi();
        long imports = emulator.inspect().callCount("ImportKeyPair");
        AmiTested tested = verdictOf(event);
        assertFailed(tested, "launch-failed");
        assertThat(emulator.inspect().callCount("ImportKeyPair") - imports).as("made before the launch").isEqualTo(1);
        awaitNoTestResources();
    }

    @Test
    void anInstanceThatNeverPassesStatusChecksLeavesNoKeyOrGroupBehind() {
        emulator.faults().instanceNeverPassesStatusChecks(true);
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "status-checks");
        awaitNoTestResources();
    }
}
