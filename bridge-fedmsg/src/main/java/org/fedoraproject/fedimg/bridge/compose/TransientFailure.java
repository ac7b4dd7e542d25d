package org.fedoraproject.fedimg.bridge.compose;

/** A failure that may go away (server error, timeout, broker unavailable): retried, then nacked. */
public class TransientFailure extends RuntimeException {
    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public TransientFailure(String message) {
        super(message);
    }
}
