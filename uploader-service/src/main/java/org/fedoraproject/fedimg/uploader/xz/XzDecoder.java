package org.fedoraproject.fedimg.uploader.xz;

/** Which LZMA2 implementation decodes xz blocks ({@code fedimg.uploader.xz.decoder}). */
public enum XzDecoder {
    /** liblzma when it loads, xz-java otherwise. */
    AUTO,
    /** liblzma (XZ Utils) through JNA; starting fails when it cannot be loaded. */
    LIBLZMA,
    /** xz-java, pure Java. */
    JAVA;

    /** The implementation to use on this machine. */
    public XzDecoder resolve() {
        if (this == LIBLZMA && !Liblzma.available()) {
            throw new IllegalStateException(Liblzma.unavailableReason());
        }
        return this == AUTO ? (Liblzma.available() ? LIBLZMA : JAVA) : this;
    }

    /** Why liblzma is not used on this machine, or null when it is available. */
    public static String liblzmaUnavailableReason() {
        return Liblzma.unavailableReason();
    }
}
