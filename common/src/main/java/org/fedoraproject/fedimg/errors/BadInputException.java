package org.fedoraproject.fedimg.errors;

import org.fedoraproject.fedimg.events.DeadLetterReason;

/** Input that will never succeed however often it is retried; it goes to the dead-letter topic. */
public class BadInputException extends RuntimeException {
    private final DeadLetterReason reason;

    public BadInputException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BadInputException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
