package org.fedoraproject.fedimg.bundle;

import java.io.IOException;

/** A stored bundle plan cannot be resumed: malformed, of another format, or not signed by the user's key. */
public final class BundlePlanException extends IOException {

    private static final long serialVersionUID = 1L;

    BundlePlanException(String message) {
        super(message);
    }
}
