package org.fedoraproject.fedimg.errors;

/** The test instance did not pass: a non-zero exit, a timeout, or an instance that never became ready. */
public class EC2TestException extends EC2ServiceException {
    private final Integer exitCode;
    private final String consoleExcerpt;

    public EC2TestException(String message, Integer exitCode, String consoleExcerpt) {
        super(message);
        this.exitCode = exitCode;
        this.consoleExcerpt = consoleExcerpt;
    }

    public Integer exitCode() {
        return exitCode;
    }

    public String consoleExcerpt() {
        return consoleExcerpt;
    }
}
