package org.fedoraproject.fedimg.emulator.ec2;

/** An AWS error answer: the code the SDK maps to an exception, its message and the HTTP status. */
public final class Ec2Exception extends RuntimeException {

    private final String code;
    private final int status;

    public Ec2Exception(int status, String code, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public Ec2Exception(String code, String message) {
        this(400, code, message);
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public static Ec2Exception invalidParameterValue(String message) {
        return new Ec2Exception("InvalidParameterValue", message);
    }

    static Ec2Exception missingParameter(String name) {
        return new Ec2Exception("MissingParameter", "The request must contain the parameter " + name);
    }

    static Ec2Exception incorrectState(String message) {
        return new Ec2Exception("IncorrectState", message);
    }

    /** HTTP status AWS uses for an error code injected by a fault. */
    public static int statusFor(String code) {
        return switch (code) {
            case "RequestLimitExceeded", "SlowDown", "ServiceUnavailable", "Unavailable", "RequestThrottled",
                    "ThrottlingException" -> 503;
            case "InternalError", "InternalFailure", "InternalServerException", "ServerInternal" -> 500;
            default -> 400;
        };
    }
}
