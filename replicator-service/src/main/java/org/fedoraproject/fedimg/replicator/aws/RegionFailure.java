package org.fedoraproject.fedimg.replicator.aws;

import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.errors.EC2ServiceException;

/**
 * A region that cannot be completed (an {@link EC2ServiceException}, as any AWS failure of a stage is, beside the
 * uploader's EC2UtilityException and the tester's EC2TestException), with the sentence an operator reads in the
 * aggregate. Thrown by the
 * steps; the region pipeline turns it into a FAILED per-region result. Never retried by the service.
 */
public class RegionFailure extends EC2ServiceException {

    /** Where it failed: the copy (image.copy) or the publication (image.publish). */
    public enum Phase { COPY, PUBLISH }

    private final Phase phase;

    public RegionFailure(Phase phase, String reason) {
        super(reason);
        this.phase = phase;
    }

    public RegionFailure(Phase phase, String reason, Throwable cause) {
        super(reason, cause);
        this.phase = phase;
    }

    public Phase phase() {
        return phase;
    }

    /** A clear reason for an AWS error in a step: the step, the region, the error code and AWS's message. */
    public static RegionFailure of(Phase phase, String step, String region, Throwable t) {
        if (AwsErrors.unwrap(t) instanceof RegionFailure rf) {
            return rf;
        }
        String code = AwsErrors.code(t);
        String detail = code == null ? AwsErrors.message(t) : code + ": " + AwsErrors.message(t);
        return new RegionFailure(phase, step + " in " + region + " failed (" + detail + ")", AwsErrors.unwrap(t));
    }
}
