package org.fedoraproject.fedimg.bundle;

import java.io.IOException;

/**
 * Why a bundle was refused while reading it. One subclass per cause, so the emulator can answer each with
 * the matching AWS error; all are {@link IOException}s because most surface from the image stream's
 * {@code read}.
 */
public abstract sealed class BundleException extends IOException
        permits InvalidManifestException, SignatureMismatchException, WrongCertificateException,
        PartDigestMismatchException, MissingPartException, CorruptBundleException {

    private static final long serialVersionUID = 1L;

    BundleException(String message) {
        super(message);
    }

    BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
