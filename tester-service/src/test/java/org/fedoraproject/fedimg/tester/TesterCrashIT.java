package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.ssh.SshStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The built service in a child JVM, SIGKILLed while its test instance runs the script, then started
 * again: one verdict, and no instance, key pair or security group left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TesterCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String SLOW_SCRIPT = "#!/bin/bash\necho 'slow test begins'\nsleep 10\necho 'slow test ends'\nexit 0\n";

    private KafkaBroker broker;
    private AwsEmulator emulator;
    private TopicProbe probe;
    private TestAmis amis;

    @BeforeAll
    void setUp() {
        broker = KafkaBroker.create();
        broker.start();
        emulator = AwsEmulator.builder().port(KafkaBroker.freePort()).regions(List.of(TestAmis.REGION)).build().start();
        probe = new TopicProbe(broker.bootstrapServers());
        amis = new TestAmis(emulator.endpoint());
    }

    @AfterAll
    void tearDown() {
        amis.close();
        probe.close();
        emulator.close();
        broker.close();
    }

    @Test
    void killDuringAUserDataRunThenRestartResumesTheSameInstance() {
        Scripts.use(SLOW_SCRIPT);
        Topics topics = topics();
        AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp3");
        try (ServiceProcess tester = ServiceProcess.of("tester-userdata", Path.of(""), config(topics, Map.of()))) {
            tester.start();
            topics.send(event);
            awaitRunningTestInstance(event);
            topics.awaitStatuses(event.imageKey(), all -> all.stream().anyMatch(s -> s.state() == StageState.STARTED),
                    WAIT);
            tester.kill();
            assertThat(emulator.inspect().callCount("RunInstances")).isEqualTo(1);

            tester.start();
            AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
            assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
            assertThat(tested.outputExcerpt()).contains("slow test begins").contains("slow test ends");
            // taken over, not launched again
            assertThat(emulator.inspect().callCount("RunInstances")).isEqualTo(1);
            awaitNothingLeft();
            assertThat(topics.testedNow(event.imageKey(), Duration.ofSeconds(2))).extracting(AmiTested::eventId)
                    .containsOnly(tested.eventId());
        }
    }

    @Test
    void killDuringAnSshRunThenRestartRelaunchesAndRemovesTheOrphans() {
        try (SshStandIn ssh = SshStandIn.start()) {
            Scripts.use(SLOW_SCRIPT);
            Topics topics = topics();
            AmiRegistered event = amis.register(TestAmis.image("x86_64"), "gp3");
            long launches = emulator.inspect().callCount("RunInstances");
            Map<String, String> sshConfig = ssh.testerSettings(Scripts.SSH_USER_DATA);
            try (ServiceProcess tester = ServiceProcess.of("tester-ssh", Path.of(""), config(topics, sshConfig))) {
                tester.start();
                int commands = ssh.commands().size();
                topics.send(event);
                awaitRunningTestInstance(event);
                Awaitility.await().atMost(WAIT).until(() -> ssh.commands().size() > commands);
                tester.kill();

                tester.start();
                AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
                assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
                // the private key of attempt 1 died with the process: attempt 2 on a new instance
                assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(2);
                assertThat(amis.amiTags(event.ami().amiId())).containsEntry("fedimg:test-attempt", "2");
                // attempt 1's instance, which nobody could finish, was terminated before attempt 2 launched: never
                // two of them alive beside each other, uncounted by the region's limit
                var mine = emulator.inspect().instances(TestAmis.REGION).stream()
                        .filter(i -> event.ami().amiId().equals(i.tags().get("fedimg:test-ami"))).toList();
                var first = mine.stream().filter(i -> "1".equals(i.tags().get("fedimg:test-attempt"))).findFirst()
                        .orElseThrow();
                var second = mine.stream().filter(i -> "2".equals(i.tags().get("fedimg:test-attempt"))).findFirst()
                        .orElseThrow();
                assertThat(first.tags()).containsEntry("fedimg:test-superseded-by", "2");
                assertThat(first.terminatedAt()).isNotNull().isBeforeOrEqualTo(second.launchTime());
                awaitNothingLeft();
            }
        }
    }

    private Topics topics() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return new Topics(probe, "it-" + run + ".amis.registered", "it-" + run + ".amis.tested", "it-" + run + ".status",
                "it-" + run + ".dead-letter");
    }

    private Map<String, String> config(Topics topics, Map<String, String> extra) {
        Map<String, String> c = new HashMap<>();
        c.put("kafka.bootstrap.servers", broker.bootstrapServers());
        c.put("fedimg.aws.endpoint-override", emulator.endpoint().toString());
        c.put("fedimg.aws.static-credentials.access-key-id", "test");
        c.put("fedimg.aws.static-credentials.secret-access-key", "test");
        c.put("fedimg.aws.base-region", TestAmis.REGION);
        c.put("fedimg.tester.script-path", Scripts.CURRENT.toAbsolutePath().toString());
        c.put("fedimg.tester.timeouts.poll-interval", "PT0.2S");
        c.put("fedimg.tester.timeouts.running", "PT30S");
        c.put("fedimg.tester.timeouts.status-ok", "PT30S");
        c.put("fedimg.tester.timeouts.script", "PT60S");
        c.put("fedimg.tester.timeouts.job", "PT3M");
        c.put("fedimg.tester.ssh.source-cidr", "127.0.0.1/32");
        c.put("fedimg.tester.sweep.initial-delay", "PT1S");
        c.put("fedimg.tester.sweep.interval", "PT3S");
        String in = "mp.messaging.incoming.amis-registered.";
        c.put(in + "topic", topics.registered);
        c.put(in + "group.id", "it-tester-" + topics.registered);
        c.put(in + "concurrency", "1");
        // a killed member must leave the group quickly for the restarted one to get the record back
        c.put(in + "session.timeout.ms", "6000");
        c.put(in + "heartbeat.interval.ms", "1000");
        c.put("mp.messaging.outgoing.amis-tested.topic", topics.tested);
        c.put("mp.messaging.outgoing.status.topic", topics.status);
        c.put("mp.messaging.outgoing.dead-letter.topic", topics.deadLetter);
        c.putAll(extra);
        return c;
    }

    private void awaitRunningTestInstance(AmiRegistered event) {
        Awaitility.await().atMost(WAIT).until(() -> emulator.inspect().instances(TestAmis.REGION).stream()
                .anyMatch(i -> event.ami().amiId().equals(i.tags().get("fedimg:test-ami"))
                        && i.state().equals("running")));
    }

    private void awaitNothingLeft() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var live = emulator.inspect().liveResources();
            assertThat(live.instances()).as("live instances").isZero();
            assertThat(live.keyPairs()).as("key pairs").isZero();
            assertThat(live.securityGroups()).as("security groups").isZero();
        });
    }
}
