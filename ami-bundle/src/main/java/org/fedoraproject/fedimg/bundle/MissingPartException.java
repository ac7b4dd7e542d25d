package org.fedoraproject.fedimg.bundle;

/** A part the manifest lists cannot be found beside it. */
public final class MissingPartException extends BundleException {

    private static final long serialVersionUID = 1L;

    private final int index;
    private final String fileName;

    public MissingPartException(int index, String fileName, Throwable cause) {
        super("part " + index + " (" + fileName + ") is missing", cause);
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
