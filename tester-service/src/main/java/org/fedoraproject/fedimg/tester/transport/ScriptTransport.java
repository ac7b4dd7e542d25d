package org.fedoraproject.fedimg.tester.transport;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.tester.domain.VerdictRules.TestFailure;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Instance;

/** How the test script gets onto the instance and how its exit code comes back. */
public interface ScriptTransport {

    /** {@code user-data} or {@code ssh}: tagged on the instance. */
    String name();

    /** What the launch needs: user-data, a key pair, extra security groups. Creates temporary resources. */
    Uni<Preparation> prepare(RunContext run);

    /**
     * Whether this process can take over a running instance of this attempt (launched before a crash
     * or by another replica). User-data runs can: the console tells everything. Ssh runs only while
     * this process holds the private key.
     */
    boolean canResume(RunContext run);

    /**
     * Runs (or, for user-data, waits for) the script on a running instance with ok status checks.
     * Fails with {@link TestFailure} for a timeout or a transport failure that is the instance's fault.
     *
     * @param scriptDeadline when to give up on the script
     */
    Uni<ScriptResult> run(RunContext run, Instance instance, Instant scriptDeadline);

    /** Forget in-memory state of a finished run (keys). */
    default void forget(String runId) {
    }

    record Preparation(String userData, String keyName, List<String> extraSecurityGroups) {
    }

    /**
     * The script ran to its end.
     *
     * @param reason the verdict's reason when the transport has a better one than the exit code (boot-only)
     */
    record ScriptResult(int exitCode, String output, String console, String reason) {
        public ScriptResult(int exitCode, String output, String console) {
            this(exitCode, output, console, null);
        }
    }
}
