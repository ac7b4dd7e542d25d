package org.fedoraproject.fedimg.tester.domain;

import java.time.Duration;

import org.fedoraproject.fedimg.errors.EC2TestException;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * Exit 0 is a pass. A non-zero exit, a timeout or an instance that never becomes ready is a fail; those
 * are raised as {@link TestFailure} (an {@link EC2TestException}) where they happen and turned into a
 * FAILED outcome with the evidence here. Nothing else passes: there is no "unknown".
 */
public final class VerdictRules {

    private VerdictRules() {
    }

    /** The script ran to its end with this exit code. */
    public static TestOutcome finished(int exitCode, long durationMillis, String output, String console,
            String testedAmiId, int attempt) {
        if (exitCode == 0) {
            return new TestOutcome(TestVerdict.PASSED, null, 0, durationMillis, output, console,
                    "test script exited 0", testedAmiId, attempt);
        }
        return failed(new TestFailure(FailureKind.EXIT_NONZERO, "test script exited " + exitCode, exitCode, output,
                console), durationMillis, testedAmiId, attempt);
    }

    public static TestOutcome failed(TestFailure f, long durationMillis, String testedAmiId, int attempt) {
        return new TestOutcome(TestVerdict.FAILED, f.kind(), f.exitCode(), durationMillis, f.output(),
                f.consoleExcerpt(), f.getMessage(), testedAmiId, attempt);
    }

    public static TestFailure scriptTimeout(Duration limit, boolean started, String output, String console) {
        String what = started ? "test script did not finish within " : "test script did not start within ";
        return new TestFailure(FailureKind.SCRIPT_TIMEOUT, what + limit, null, output, console);
    }

    public static TestFailure notRunning(String detail, String console) {
        return new TestFailure(FailureKind.NOT_RUNNING, "test instance never became running: " + detail, null, null,
                console);
    }

    public static TestFailure statusChecks(Duration limit, String lastStatus, String console) {
        return new TestFailure(FailureKind.STATUS_CHECKS,
                "status checks not ok within " + limit + " (last: " + lastStatus + ")", null, null, console);
    }

    /** A failed test with its evidence; {@link EC2TestException} carries the exit code and console. */
    public static final class TestFailure extends EC2TestException {
        private final FailureKind kind;
        private final String output;

        public TestFailure(FailureKind kind, String message, Integer exitCode, String output, String console) {
            super(message, exitCode, console);
            this.kind = kind;
            this.output = output;
        }

        public FailureKind kind() {
            return kind;
        }

        public String output() {
            return output;
        }

        public TestFailure withConsole(String console) {
            TestFailure copy = new TestFailure(kind, getMessage(), exitCode(), output, console);
            copy.setStackTrace(getStackTrace());
            return copy;
        }
    }
}
