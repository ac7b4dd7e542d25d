package org.fedoraproject.fedimg.tester.domain;

/**
 * Why a test did not pass, as a low-cardinality code for metrics and the AMI's result tag. The human
 * reason with the details travels next to it.
 */
public enum FailureKind {
    /** The script ran to the end and exited non-zero. */
    EXIT_NONZERO("exit-nonzero"),
    /** The script started or was expected but no end marker / channel close came in time. */
    SCRIPT_TIMEOUT("script-timeout"),
    /** The instance never reached {@code running}, or stopped/terminated on its own. */
    NOT_RUNNING("not-running"),
    /** The instance ran but its status checks never became {@code ok}. */
    STATUS_CHECKS("status-checks"),
    /** The ssh host key did not match the fingerprint cloud-init printed on the console. */
    HOST_KEY_MISMATCH("host-key-mismatch"),
    /** The ssh transport could not connect, authenticate or open the channel. */
    SSH_ERROR("ssh-error"),
    /** EC2 refused to launch the instance (capacity, limits, permissions): not the image's fault, but no pass either. */
    LAUNCH_FAILED("launch-failed");

    private final String code;

    FailureKind(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static FailureKind ofCode(String code) {
        for (FailureKind k : values()) {
            if (k.code.equals(code)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown failure kind " + code);
    }
}
