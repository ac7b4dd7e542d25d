package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.util.concurrent.CompletionException;

/** A stage the {@link PartSink} returned failed; the bundle was stopped. The cause is the sink's failure. */
public final class PartSinkException extends IOException {

    private static final long serialVersionUID = 1L;

    PartSinkException(String message, Throwable cause) {
        super(message + ": " + unwrap(cause), unwrap(cause));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
