package org.fedoraproject.fedimg.bundle;

/** A part's SHA-1 differs from the digest the signed manifest lists for it: the part was changed or cut short. */
public final class PartDigestMismatchException extends BundleException {

    private static final long serialVersionUID = 1L;

    private final int index;
    private final String fileName;

    public PartDigestMismatchException(int index, String fileName, String expected, String actual) {
        super("part " + index + " (" + fileName + ") has SHA-1 " + actual + ", the manifest lists " + expected);
        this.index = index;
        this.fileName = fileName;
    }

    public int index() {
        return index;
    }

    public String fileName() {
        return fileName;
    }
}
