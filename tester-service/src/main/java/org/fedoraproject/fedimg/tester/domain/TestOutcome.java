package org.fedoraproject.fedimg.tester.domain;

import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * The result of booting one AMI and running the script on it.
 *
 * @param failure    null when passed
 * @param exitCode   null when the script never ran to the end
 * @param output     the script's output (unbounded here; bounded when put in an event)
 * @param console    the instance console at the end (unbounded here)
 * @param testedAmiId the AMI that was booted
 * @param attempt    the launch attempt the verdict came from (see {@link TestAttempts})
 */
public record TestOutcome(
        TestVerdict verdict,
        FailureKind failure,
        Integer exitCode,
        long durationMillis,
        String output,
        String console,
        String reason,
        String testedAmiId,
        int attempt) {

    public boolean passed() {
        return verdict == TestVerdict.PASSED;
    }

    /** Metric tag: {@code passed} or the failure code. */
    public String reasonCode() {
        return failure == null ? "passed" : failure.code();
    }

    /** The same outcome with another reason; null keeps this one. */
    public TestOutcome withReason(String newReason) {
        return newReason == null ? this
                : new TestOutcome(verdict, failure, exitCode, durationMillis, output, console, newReason, testedAmiId, attempt);
    }

    public TestOutcome withConsole(String newConsole) {
        return new TestOutcome(verdict, failure, exitCode, durationMillis, output, newConsole, reason, testedAmiId, attempt);
    }
}
