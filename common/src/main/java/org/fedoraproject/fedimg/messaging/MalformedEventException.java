package org.fedoraproject.fedimg.messaging;

/** Input that can never be processed, whatever the retries; it belongs in the dead-letter topic. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }
}
