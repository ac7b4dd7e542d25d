package org.fedoraproject.fedimg.errors;

/** A failure of the EC2 service, as in the original fedimg's {@code fedimg.exceptions}. */
public class EC2ServiceException extends RuntimeException {
    public EC2ServiceException(String message) {
        super(message);
    }

    public EC2ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
