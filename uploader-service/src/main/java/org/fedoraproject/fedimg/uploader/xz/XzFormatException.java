package org.fedoraproject.fedimg.uploader.xz;

import java.io.IOException;

import org.fedoraproject.fedimg.events.DeadLetterReason;

/** The file is not xz ({@code NOT_XZ}), or its xz stream is cut short or damaged ({@code TRUNCATED_XZ}). */
public class XzFormatException extends IOException {
    private final DeadLetterReason reason;

    public XzFormatException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public XzFormatException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    static XzFormatException truncated(String message) {
        return new XzFormatException(DeadLetterReason.TRUNCATED_XZ, "truncated xz: " + message);
    }

    static XzFormatException corrupt(String message, Throwable cause) {
        return new XzFormatException(DeadLetterReason.TRUNCATED_XZ, "corrupt xz: " + message, cause);
    }

    static XzFormatException corrupt(String message) {
        return new XzFormatException(DeadLetterReason.TRUNCATED_XZ, "corrupt xz: " + message);
    }

    static XzFormatException notXz(String message) {
        return new XzFormatException(DeadLetterReason.NOT_XZ, "not an xz file: " + message);
    }
}
