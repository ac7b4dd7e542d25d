package org.fedoraproject.fedimg.bundle;

/**
 * The manifest's signature does not verify with the user's certificate: the signed elements were changed
 * after signing, or another key signed them.
 */
public final class SignatureMismatchException extends BundleException {

    private static final long serialVersionUID = 1L;

    public SignatureMismatchException(String message) {
        super(message);
    }
}
