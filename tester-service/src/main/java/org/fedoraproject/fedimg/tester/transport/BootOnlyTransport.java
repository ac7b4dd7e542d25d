package org.fedoraproject.fedimg.tester.transport;

import java.time.Instant;
import java.util.List;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * {@code fedimg.tester.transport=boot-only}: a TEST MODE for EC2 implementations that cannot run a script
 * (moto keeps user-data but never executes it). The instance is launched without user-data and the verdict
 * is PASSED once it is running with ok status checks; the configured script is never run, and the verdict's
 * reason says so. Never use it against real AWS: an AMI that boots but is broken would be published.
 */
public final class BootOnlyTransport implements ScriptTransport {

    static final String REASON = "boot-only transport (test mode): the instance reached running with ok status "
            + "checks; no test script was run";
    private static final Logger LOG = Logger.getLogger(BootOnlyTransport.class);

    public BootOnlyTransport() {
        LOG.warn("fedimg.tester.transport=boot-only: AMIs pass when they boot, WITHOUT running the test script "
                + "(a mode for moto and tests, never for real AWS)");
    }

    @Override
    public String name() {
        return "boot-only";
    }

    @Override
    public Uni<Preparation> prepare(RunContext run) {
        return Uni.createFrom().item(new Preparation(null, null, List.of()));
    }

    @Override
    public boolean canResume(RunContext run) {
        return true;
    }

    @Override
    public Uni<ScriptResult> run(RunContext run, Instance instance, Instant scriptDeadline) {
        return Uni.createFrom().item(new ScriptResult(0, REASON + ".\n", null, REASON));
    }
}
