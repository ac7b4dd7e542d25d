package org.fedoraproject.fedimg.emulator.ebs;

/** An EBS direct (REST-JSON) error: HTTP status, the x-amzn-ErrorType code and an optional Reason. */
public final class EbsException extends RuntimeException {
    private final int status;
    private final String type;
    private final String reason;

    public EbsException(int status, String type, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String reason() {
        return reason;
    }

    static EbsException validation(String reason, String message) {
        return new EbsException(400, "ValidationException", reason, message);
    }

    static EbsException notFound(String message) {
        return new EbsException(404, "ResourceNotFoundException", "SNAPSHOT_NOT_FOUND", message);
    }
}
