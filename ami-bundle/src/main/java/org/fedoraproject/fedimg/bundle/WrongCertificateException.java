package org.fedoraproject.fedimg.bundle;

/**
 * The bundle's key and IV were not encrypted for the private key at hand: the manifest was made for another
 * EC2 certificate (another partition, or another emulator), or the user's key is not the one it was sealed for.
 */
public final class WrongCertificateException extends BundleException {

    private static final long serialVersionUID = 1L;

    public WrongCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}
