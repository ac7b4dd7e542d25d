package org.fedoraproject.fedimg.bundle;

/** The manifest is not a well-formed 2007-10-10 AMI manifest, or names an algorithm or value we do not accept. */
public final class InvalidManifestException extends BundleException {

    private static final long serialVersionUID = 1L;

    public InvalidManifestException(String message) {
        super(message);
    }

    public InvalidManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
