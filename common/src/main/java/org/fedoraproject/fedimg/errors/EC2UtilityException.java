package org.fedoraproject.fedimg.errors;

/** The utility instance failed to write the image to its volume. */
public class EC2UtilityException extends EC2ServiceException {
    private final String consoleExcerpt;

    public EC2UtilityException(String message, String consoleExcerpt) {
        super(message);
        this.consoleExcerpt = consoleExcerpt;
    }

    public String consoleExcerpt() {
        return consoleExcerpt;
    }
}
