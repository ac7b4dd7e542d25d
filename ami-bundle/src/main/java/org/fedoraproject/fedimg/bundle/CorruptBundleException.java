package org.fedoraproject.fedimg.bundle;

/**
 * The parts matched their digests, but what they carry is not a valid bundle: the decryption, the gzip
 * stream, the tar archive, the image's size or the image digest the manifest states does not check out.
 */
public final class CorruptBundleException extends BundleException {

    private static final long serialVersionUID = 1L;

    public CorruptBundleException(String message) {
        super(message);
    }

    public CorruptBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
