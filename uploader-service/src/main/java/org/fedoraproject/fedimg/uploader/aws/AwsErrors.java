package org.fedoraproject.fedimg.uploader.aws;

import java.util.concurrent.CompletionException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ebs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.ebs.model.ValidationException;
import software.amazon.awssdk.services.ebs.model.ValidationExceptionReason;

/**
 * Exception filters for the only retries done above the SDK: eventual consistency right after a resource
 * was created. Throttling and 5xx are never matched here; the SDK's STANDARD strategy retried them already.
 */
public final class AwsErrors {

    private AwsErrors() {
    }

    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    public static String code(Throwable t) {
        return unwrap(t) instanceof AwsServiceException e && e.awsErrorDetails() != null
                ? e.awsErrorDetails().errorCode() : null;
    }

    /** PutSnapshotBlock right after StartSnapshot: "the snapshot does not exist" for up to a couple of minutes. */
    public static boolean snapshotNotReadyYet(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof ResourceNotFoundException) {
            return true;
        }
        if (c instanceof ValidationException v && v.reason() == ValidationExceptionReason.INVALID_SNAPSHOT_ID) {
            return true;
        }
        return c instanceof AwsServiceException e && !e.isThrottlingException() && e.statusCode() < 500
                && String.valueOf(e.getMessage()).toLowerCase().contains("does not exist");
    }

    /** An id EC2 just handed out is not yet visible to the call that follows (e.g. CreateTags after RegisterImage). */
    public static boolean notFoundYet(Throwable t) {
        String code = code(t);
        return code != null && code.startsWith("Invalid") && code.endsWith(".NotFound");
    }

    public static boolean isCode(Throwable t, String code) {
        return code.equals(code(t));
    }
}
