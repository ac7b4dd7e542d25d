package org.fedoraproject.fedimg.uploader.aws;

import org.fedoraproject.fedimg.errors.EC2UtilityException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/** The utility script printed its failure marker: bad input it detected, with the matching dead-letter reason. */
public class UtilityScriptFailure extends EC2UtilityException {
    private final DeadLetterReason reason;

    public UtilityScriptFailure(DeadLetterReason reason, String message, String consoleExcerpt) {
        super(message, consoleExcerpt);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
