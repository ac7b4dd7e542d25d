package org.fedoraproject.fedimg.emulator.internal;

/** An EBS direct (REST-JSON) error: HTTP status, the x-amzn-ErrorType code and an optional Reason. */
final class EbsException extends RuntimeException {
    final int status;
    final String type;
    final String reason;

    EbsException(int status, String type, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.reason = reason;
    }

    static EbsException validation(String reason, String message) {
        return new EbsException(400, "ValidationException", reason, message);
    }

    static EbsException notFound(String message) {
        return new EbsException(404, "ResourceNotFoundException", "SNAPSHOT_NOT_FOUND", message);
    }
}
