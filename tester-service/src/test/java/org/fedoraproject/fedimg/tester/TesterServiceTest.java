package org.fedoraproject.fedimg.tester;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.aws.ResultTags;
import org.fedoraproject.fedimg.tester.domain.TestAttempts;
import org.fedoraproject.fedimg.tester.domain.VerdictRules;
import org.fedoraproject.fedimg.tester.job.LeftoverSweeper;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The user-data transport end to end: the real broker, the emulator booting instances and running the
 * wrapped script, and the service in between.
 */
@QuarkusTest
class TesterServiceTest extends TesterQuarkusTest {

    @Inject
    LeftoverSweeper sweeper;

    @Inject
    ResultTags resultTags;

    @Test
    void passingScriptPassesAndLeavesNothingBehind() {
        Scripts.use("#!/bin/bash\necho \"kernel $(uname -s) ok\"\nexit 0\n");
        AmiRegistered event = registerAmi();
        long launches = emulator.inspect().callCount("RunInstances");

        AmiTested tested = verdictOf(event);
        assertThat(tested.verdict()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.exitCode()).isZero();
        assertThat(tested.outputExcerpt()).contains("kernel Linux ok");
        assertThat(tested.testedAmiId()).isEqualTo(event.ami().amiId());
        assertThat(tested.ami()).isEqualTo(event.ami());
        assertThat(tested.traceId()).isEqualTo(event.traceId());
        assertThat(tested.durationMillis()).isPositive();
        assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(1);

        Views.Instance instance = testInstanceOf(event);
        assertThat(instance.instanceType()).isEqualTo("t3.small");
        assertThat(instance.tags()).containsEntry("fedimg:created-by", "fedimg")
                .containsEntry("fedimg:image-key", event.imageKey()).containsEntry("fedimg:test-ami", event.ami().amiId())
                .containsEntry("fedimg:test-attempt", "1").containsEntry("fedimg:test-transport", "user-data");
        assertThat(instance.userData()).contains("FEDIMG-TEST-END " + event.ami().amiId() + "-a1");
        Instance launched = amis.describe(TestAmis.REGION, instance.instanceId());
        // the AMI does not ask for IMDSv2 (no ImdsSupport): the tester must
        assertThat(launched.metadataOptions().httpTokens()).isEqualTo(HttpTokensState.REQUIRED);
        assertThat(launched.clientToken()).isEqualTo(TestAttempts.clientToken(TestAmis.REGION, event.ami().amiId(), 1));
        // the emulator shows what the script printed only to GetConsoleOutput with Latest while the instance
        // runs (as EC2 does), so this pass also shows the tester polls with Latest

        Map<String, String> amiTags = amis.amiTags(event.ami().amiId());
        assertThat(amiTags).containsEntry("fedimg:test", "passed").containsEntry("fedimg:test-exit-code", "0")
                .containsEntry("fedimg:test-tested-ami", event.ami().amiId());

        List<StageStatus> statuses = topics.awaitStatuses(event.imageKey(),
                all -> all.stream().anyMatch(s -> s.state() == StageState.COMPLETED), WAIT);
        assertThat(statuses).extracting(StageStatus::state).containsExactly(StageState.STARTED, StageState.COMPLETED);
        assertThat(statuses).allSatisfy(s -> {
            assertThat(s.stage()).isEqualTo(Stage.TEST);
            assertThat(s.service()).isEqualTo("tester");
            assertThat(s.amiId()).isEqualTo(event.ami().amiId());
            assertThat(s.region()).isEqualTo(TestAmis.REGION);
            assertThat(s.variant()).isEqualTo(event.ami().variant());
        });
        awaitNoTestResources();
    }

    @Test
    void failingScriptFailsWithItsExitCodeAndOutput() {
        Scripts.use("#!/bin/bash\necho 'checking /etc/os-release'\necho 'FATAL: cloud-init did not finish' >&2\nexit 3\n");
        AmiRegistered event = registerAmi();
        AmiTested tested = verdictOf(event);
        assertFailed(tested, "exit-nonzero");
        assertThat(tested.exitCode()).isEqualTo(3);
        assertThat(tested.outputExcerpt()).contains("checking /etc/os-release").contains("FATAL: cloud-init did not finish");
        assertThat(tested.reason()).contains("exited 3");
        assertThat(tested.consoleExcerpt()).contains("FEDIMG-TEST-END");
        assertThat(amis.amiTags(event.ami().amiId())).containsEntry("fedimg:test", "failed")
                .containsEntry("fedimg:test-exit-code", "3");

        StageStatus failed = topics.awaitStatuses(event.imageKey(),
                all -> all.stream().anyMatch(s -> s.state() == StageState.FAILED), WAIT).stream()
                .filter(s -> s.state() == StageState.FAILED).findFirst().orElseThrow();
        assertThat(failed.reason()).contains("exited 3");
        assertThat(failed.consoleExcerpt()).contains("FATAL");
        awaitNoTestResources();
    }

    @Test
    void hangingScriptTimesOut() {
        Scripts.use("#!/bin/bash\necho 'waiting for a network that never comes'\nsleep 600\n");
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "script-timeout");
        assertThat(tested.exitCode()).isNull();
        assertThat(tested.reason()).contains("did not finish within PT5S");
        assertThat(tested.outputExcerpt()).contains("waiting for a network");
        awaitNoTestResources();
    }

    @Test
    void instanceThatNeverPassesStatusChecksFails() {
        emulator.faults().instanceNeverPassesStatusChecks(true);
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "status-checks");
        assertThat(tested.exitCode()).isNull();
        assertThat(tested.reason()).contains("status checks not ok within PT3S").contains("impaired");
        assertThat(tested.consoleExcerpt()).isNotBlank();
        awaitNoTestResources();
    }

    @Test
    void instanceThatNeverReachesRunningFails() {
        emulator.delays(Delays.builder().instancePending(Duration.ofMinutes(5)).build());
        AmiTested tested = verdictOf(registerAmi());
        assertFailed(tested, "not-running");
        assertThat(tested.exitCode()).isNull();
        assertThat(tested.reason()).contains("state pending after PT4S");
        awaitNoTestResources();
    }

    @Test
    void theSameEventTwiceLaunchesOneInstanceAndGivesOneResult() {
        Scripts.use("#!/bin/bash\necho once\nexit 0\n");
        AmiRegistered event = amis.register(TestAmis.image("aarch64"), "gp3");
        long launches = emulator.inspect().callCount("RunInstances");
        topics.send(event);
        topics.send(event);

        List<AmiTested> tested = topics.awaitTested(event.imageKey(), 2, WAIT);
        assertThat(tested).extracting(AmiTested::eventId).containsOnly(tested.get(0).eventId());
        assertThat(tested).extracting(AmiTested::verdict).containsOnly(TestVerdict.PASSED);
        assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(1);
        assertThat(testInstanceOf(event).instanceType()).isEqualTo("t4g.small");
        awaitNoTestResources();
    }

    /**
     * Two testers on the same AMI after a rebalance: the other one marked attempt 1 and launched it, and EC2 does not
     * list its instance yet. This tester sends attempt 1's launch again, learns from the token that it exists, and
     * watches that instance: one instance, one verdict of attempt 1, never an attempt 2 beside it.
     */
    @Test
    void anAttemptAnotherTesterLaunchedIsJoinedNotRepeated() throws Exception {
        Scripts.use("#!/bin/bash\necho joined\nexit 0\n");
        AmiRegistered event = registerAmi();
        String ami = event.ami().amiId();
        amis.ec2().createTags(b -> b.resources(ami).tags(Tag.builder().key("fedimg:test-attempt").value("1").build()))
                .join();
        emulator.delays(Delays.builder().eventualConsistencyNotFound(3).build());
        String theirs = launchAttemptOneAsAnotherTester(event);
        emulator.delays(Delays.zero());
        long launches = emulator.inspect().callCount("RunInstances");

        topics.send(event);

        AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.outputExcerpt()).contains("joined");
        assertThat(emulator.inspect().callCount("RunInstances") - launches).as("attempt 1's launch, sent again")
                .isEqualTo(1);
        assertThat(emulator.inspect().instances(TestAmis.REGION)).filteredOn(i -> ami.equals(i.imageId()))
                .extracting(Views.Instance::instanceId).containsExactly(theirs);
        assertThat(amis.amiTags(ami)).containsEntry("fedimg:test-attempt", "1");
        awaitNoTestResources();
    }

    /**
     * Another tester launched attempt 1 beyond the region's limit and gives way (tags it, terminates it) while this one,
     * which has the AMI after a rebalance, is waiting for that instance to run: no verdict on the image (ReliabilityIT
     * once published a false FAILED, "never became running: state terminated"), but attempt 2.
     */
    @Test
    void anInstanceThatGaveWayUnderThisTesterIsNoVerdict() throws Exception {
        Scripts.use("#!/bin/bash\necho second attempt\nexit 0\n");
        AmiRegistered event = registerAmi();
        String ami = event.ami().amiId();
        amis.ec2().createTags(b -> b.resources(ami).tags(Tag.builder().key("fedimg:test-attempt").value("1").build()))
                .join();
        // pending long enough for this tester to take attempt 1 over and wait for it, within its %test running timeout
        emulator.delays(Delays.builder().instancePending(Duration.ofSeconds(3)).build());
        try {
            String theirs = launchAttemptOneAsAnotherTester(event);

            topics.send(event);
            topics.awaitStatuses(event.imageKey(), all -> all.stream().anyMatch(s -> s.state() == StageState.STARTED),
                    WAIT);
            amis.ec2().createTags(b -> b.resources(theirs).tags(Tag.builder().key("fedimg:test-gave-way")
                    .value("launched beyond the limit").build())).join();
            amis.ec2().terminateInstances(b -> b.instanceIds(theirs)).join();

            AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
            assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.PASSED);
            assertThat(tested.outputExcerpt()).contains("second attempt");
            assertThat(amis.amiTags(ami)).containsEntry("fedimg:test-attempt", "2");
        } finally {
            emulator.delays(Delays.zero());
        }
        awaitNoTestResources();
    }

    /**
     * Another tester, which had the AMI after a rebalance and could not resume attempt 1 (an ssh run's key is its
     * launcher's alone), replaced it with attempt 2 and terminated attempt 1's instance while this tester watched it.
     * This tester launches nothing (an attempt 3 would replace the other's in turn) and gives attempt 2's verdict.
     */
    @Test
    void anAttemptReplacedByAnotherTesterGivesTheReplacingVerdict() throws Exception {
        Scripts.use("#!/bin/bash\necho attempt one\nexit 0\n");
        AmiRegistered event = registerAmi();
        String ami = event.ami().amiId();
        amis.ec2().createTags(b -> b.resources(ami).tags(Tag.builder().key("fedimg:test-attempt").value("1").build()))
                .join();
        emulator.delays(Delays.builder().instancePending(Duration.ofSeconds(3)).build());
        try {
            String theirs = launchAttemptOneAsAnotherTester(event);
            long launches = emulator.inspect().callCount("RunInstances");

            topics.send(event);
            topics.awaitStatuses(event.imageKey(), all -> all.stream().anyMatch(s -> s.state() == StageState.STARTED),
                    WAIT);
            amis.ec2().createTags(b -> b.resources(ami).tags(Tag.builder().key("fedimg:test-attempt").value("2")
                    .build())).join();
            amis.ec2().createTags(b -> b.resources(theirs).tags(Tag.builder().key("fedimg:test-superseded-by")
                    .value("2").build())).join();
            amis.ec2().terminateInstances(b -> b.instanceIds(theirs)).join();
            // the replacing attempt's verdict, recorded a little later by its tester: its script exited 7
            Thread.sleep(1000);
            resultTags.recordVerdict(TestAmis.REGION, List.of(ami),
                    VerdictRules.finished(7, 1000, null, null, ami, 2)).await().atMost(WAIT);

            AmiTested tested = topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
            assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.FAILED);
            assertThat(tested.exitCode()).as("attempt 2's, not a verdict of its own on attempt 1").isEqualTo(7);
            assertThat(emulator.inspect().callCount("RunInstances") - launches).as("no attempt of its own").isZero();
            assertThat(amis.amiTags(ami)).containsEntry("fedimg:test-attempt", "2")
                    .containsEntry("fedimg:test-verdict-attempt", "2");
        } finally {
            emulator.delays(Delays.zero());
        }
        awaitNoTestResources();
    }

    @Test
    void badInputGoesToTheDeadLetterTopicAndTheServiceKeepsRunning() {
        topics.sendRaw("garbage", "{not json".getBytes(StandardCharsets.UTF_8));
        AmiRegistered good = registerAmi();
        AmiRef unverified = new AmiRef(good.ami().region(), good.ami().amiId(), good.ami().amiName(),
                good.ami().snapshotId(), good.ami().ec2Architecture(), good.ami().variant(), null, List.of(), false);
        AmiRegistered bad = new AmiRegistered(good.eventId() + "-x", good.imageKey(), good.composeId(), good.traceId(),
                good.time(), good.image(), unverified);
        topics.send(bad);

        var letters = topics.awaitDeadLetters(d -> "{not json".equals(d.originalPayload())
                || good.imageKey().equals(d.imageKey()), 2, WAIT);
        assertThat(letters).extracting(l -> l.reasonCode())
                .contains(DeadLetterReason.MALFORMED_MESSAGE.name(), DeadLetterReason.INVARIANT_VIOLATION.name());
        assertThat(letters).allSatisfy(l -> assertThat(l.service()).isEqualTo("tester"));
        assertThat(amis.amiTags(good.ami().amiId())).doesNotContainKey("fedimg:test-attempt");

        // still consuming
        Scripts.use("#!/bin/bash\nexit 0\n");
        topics.send(good);
        assertThat(topics.awaitTested(good.imageKey(), 1, WAIT).get(0).verdict()).isEqualTo(TestVerdict.PASSED);
    }

    @Test
    void capacityShortageIsWaitedOutButARefusedLaunchIsAFailedVerdict() {
        Scripts.use("#!/bin/bash\nexit 0\n");
        emulator.faults().failCall("RunInstances", 1, "InsufficientInstanceCapacity");
        AmiRegistered retried = registerAmi();
        long launches = emulator.inspect().callCount("RunInstances");
        topics.send(retried);
        assertThat(topics.awaitTested(retried.imageKey(), 1, WAIT).get(0).verdict()).isEqualTo(TestVerdict.PASSED);
        assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(2);

        emulator.faults().failCall("RunInstances", 1, "UnauthorizedOperation");
        AmiRegistered refused = registerAmi();
        AmiTested tested = verdictOf(refused);
        assertFailed(tested, "launch-failed");
        assertThat(tested.reason()).startsWith("EC2 refused to launch the test instance");
    }

    @Test
    void theSweepRemovesLeftoversNoJobWillComeBackForAndKeepsResumableOnes() {
        Scripts.use("#!/bin/bash\nexit 0\n");
        // a finished test whose cleanup never ran (crash after the verdict was recorded)
        AmiRegistered judged = registerAmi();
        topics.send(judged);
        topics.awaitTested(judged.imageKey(), 1, WAIT);
        String judgedAmi = judged.ami().amiId();
        String orphan = launchLeftover(judged, "1", "2099-01-01T00:00:00Z");
        amis.ec2().createKeyPair(b -> b.keyName("fedimg-test-" + judgedAmi + "-a1").tagSpecifications(
                spec(ResourceType.KEY_PAIR, judged, "test-key", "1", "2099-01-01T00:00:00Z"))).join();
        // a test in flight that a redelivered event will resume: attempt 1 started, no verdict, not expired
        AmiRegistered inFlight = registerAmi();
        amis.ec2().createTags(b -> b.resources(inFlight.ami().amiId())
                .tags(Tag.builder().key("fedimg:test-attempt").value("1").build())).join();
        String resumable = launchLeftover(inFlight, "1", "2099-01-01T00:00:00Z");
        // the same, but past its deadline
        AmiRegistered stale = registerAmi();
        String expired = launchLeftover(stale, "1", "2020-01-01T00:00:00Z");

        int removed = sweeper.sweep(TestAmis.REGION).await().atMost(Duration.ofSeconds(60));

        assertThat(removed).isEqualTo(3);
        assertThat(state(orphan)).isIn("shutting-down", "terminated");
        assertThat(state(expired)).isIn("shutting-down", "terminated");
        assertThat(state(resumable)).isEqualTo("running");
        assertThat(emulator.inspect().keyPairs(TestAmis.REGION)).isEmpty();
        amis.ec2().terminateInstances(b -> b.instanceIds(resumable)).join();
    }

    @Test
    void metricsCountVerdictsByReason() {
        Scripts.use("#!/bin/bash\nexit 4\n");
        AmiRegistered event = registerAmi();
        topics.send(event);
        topics.awaitTested(event.imageKey(), 1, WAIT);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("fedimg_tester_tests_total{"))
                .body(containsString("reason=\"exit-nonzero\""))
                .body(containsString("fedimg_tester_test_duration_seconds_count{"))
                .body(containsString("fedimg_aws_calls_total{"));
    }

    private String launchLeftover(AmiRegistered event, String attempt, String expires) {
        return amis.ec2().runInstances(b -> b.imageId(event.ami().amiId()).instanceType("t3.small").minCount(1)
                .maxCount(1).tagSpecifications(spec(ResourceType.INSTANCE, event, "test-instance", attempt, expires)))
                .join().instances().get(0).instanceId();
    }

    private String state(String instanceId) {
        return emulator.inspect().instance(TestAmis.REGION, instanceId).orElseThrow().state();
    }
}
