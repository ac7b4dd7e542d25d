package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.fedoraproject.fedimg.errors.EC2TestException;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.junit.jupiter.api.Test;

class VerdictRulesTest {

    @Test
    void exitZeroPasses() {
        TestOutcome o = VerdictRules.finished(0, 1200, "ok\n", "console", "ami-1", 1);
        assertThat(o.verdict()).isEqualTo(TestVerdict.PASSED);
        assertThat(o.failure()).isNull();
        assertThat(o.reasonCode()).isEqualTo("passed");
        assertThat(o.exitCode()).isZero();
    }

    @Test
    void nonZeroExitFailsWithItsCodeAndOutput() {
        TestOutcome o = VerdictRules.finished(3, 1200, "broken\n", "console", "ami-1", 2);
        assertThat(o.verdict()).isEqualTo(TestVerdict.FAILED);
        assertThat(o.failure()).isEqualTo(FailureKind.EXIT_NONZERO);
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.output()).isEqualTo("broken\n");
        assertThat(o.reason()).contains("exited 3");
        assertThat(o.attempt()).isEqualTo(2);
    }

    @Test
    void timeoutsAndUnreadyInstancesFailWithoutExitCode() {
        var timeout = VerdictRules.scriptTimeout(Duration.ofMinutes(15), true, "half", "c");
        assertThat(timeout).isInstanceOf(EC2TestException.class);
        TestOutcome o = VerdictRules.failed(timeout, 900_000, "ami-1", 1);
        assertThat(o.verdict()).isEqualTo(TestVerdict.FAILED);
        assertThat(o.exitCode()).isNull();
        assertThat(o.reason()).isEqualTo("test script did not finish within PT15M");
        assertThat(o.output()).isEqualTo("half");

        assertThat(VerdictRules.scriptTimeout(Duration.ofMinutes(1), false, "", "").getMessage())
                .contains("did not start");
        TestOutcome checks = VerdictRules.failed(VerdictRules.statusChecks(Duration.ofMinutes(10),
                "state=running, system=ok, instance=impaired", "console"), 1, "ami-1", 1);
        assertThat(checks.failure()).isEqualTo(FailureKind.STATUS_CHECKS);
        assertThat(checks.reason()).contains("impaired");
        assertThat(checks.console()).isEqualTo("console");
        assertThat(VerdictRules.failed(VerdictRules.notRunning("state terminated", null), 1, "ami-1", 1).reasonCode())
                .isEqualTo("not-running");
    }

    @Test
    void resultMarkerRoundTripsThroughTags() {
        TestOutcome failed = VerdictRules.finished(3, 4567, "out", "con", "ami-2", 2);
        var tags = ResultMarker.tags(failed);
        assertThat(tags).containsEntry("fedimg:test", "failed").containsEntry("fedimg:test-exit-code", "3")
                .containsEntry("fedimg:test-tested-ami", "ami-2").containsEntry("fedimg:test-verdict-attempt", "2")
                .doesNotContainKey("fedimg:test-attempt");
        TestOutcome back = ResultMarker.read(tags).orElseThrow();
        assertThat(back.verdict()).isEqualTo(TestVerdict.FAILED);
        assertThat(back.exitCode()).isEqualTo(3);
        assertThat(back.durationMillis()).isEqualTo(4567);
        assertThat(back.failure()).isEqualTo(FailureKind.EXIT_NONZERO);
        assertThat(back.reason()).isEqualTo(failed.reason());

        TestOutcome timeout = VerdictRules.failed(VerdictRules.scriptTimeout(Duration.ofSeconds(5), true, "", ""), 5000,
                "ami-2", 1);
        assertThat(ResultMarker.read(ResultMarker.tags(timeout)).orElseThrow().exitCode()).isNull();
    }

    @Test
    void incompleteOrInconsistentMarkersAreNotTrusted() {
        assertThat(ResultMarker.read(java.util.Map.of())).isEmpty();
        assertThat(ResultMarker.read(java.util.Map.of("fedimg:test", "maybe"))).isEmpty();
        assertThat(ResultMarker.read(java.util.Map.of("fedimg:test", "passed"))).isEmpty();
        var contradictory = new java.util.HashMap<>(ResultMarker.tags(VerdictRules.finished(0, 1, "", "", "ami-3", 1)));
        contradictory.put("fedimg:test", "failed");
        assertThat(ResultMarker.read(contradictory)).isEmpty();
    }

    @Test
    void longReasonsFitATagValue() {
        String reason = "x".repeat(1000);
        TestOutcome o = new TestOutcome(TestVerdict.FAILED, FailureKind.SSH_ERROR, null, 1, null, null, reason, "ami-1", 1);
        assertThat(ResultMarker.tags(o).get("fedimg:test-reason")).hasSize(256).endsWith("...");
    }

    @Test
    void clientTokensAreDeterministicPerAmiAndAttempt() {
        String a1 = TestAttempts.clientToken("us-east-1", "ami-1", 1);
        assertThat(a1).hasSize(64).isEqualTo(TestAttempts.clientToken("us-east-1", "ami-1", 1));
        assertThat(a1).isNotEqualTo(TestAttempts.clientToken("us-east-1", "ami-1", 2))
                .isNotEqualTo(TestAttempts.clientToken("us-east-1", "ami-2", 1))
                .isNotEqualTo(TestAttempts.clientToken("eu-west-1", "ami-1", 1));
        assertThat(TestAttempts.current(java.util.Map.of())).isZero();
        assertThat(TestAttempts.current(java.util.Map.of("fedimg:test-attempt", "4"))).isEqualTo(4);
        assertThat(TestAttempts.current(java.util.Map.of("fedimg:test-attempt", "junk"))).isZero();
    }
}
