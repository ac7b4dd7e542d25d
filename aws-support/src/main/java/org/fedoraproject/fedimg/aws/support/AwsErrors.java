package org.fedoraproject.fedimg.aws.support;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * What an AWS failure was, wherever in the cause chain the SDK's exception sits: behind a
 * {@link CompletionException} of an SDK future, an {@link ExecutionException} of a blocking join, an
 * {@code SdkClientException} or one of our own exceptions that carries it as its cause.
 *
 * <p>These rules serve the only retries done above the SDK: semantic conditions such as eventual
 * consistency right after a resource was created, always with an exception filter. Throttling and 5xx
 * are never matched here; the SDK's STANDARD strategy retried them already ({@link AwsClients}).
 */
public final class AwsErrors {

    /** Cause chains are a few links long; the bound only guards against a cycle. */
    private static final int MAX_DEPTH = 32;

    /** Codes that mean "gone" without the {@code .NotFound} suffix: a deregistered AMI, and EBS direct's. */
    private static final Set<String> OTHER_NOT_FOUND = Set.of("InvalidAMIID.Unavailable", "ResourceNotFoundException");

    private AwsErrors() {
    }

    /** The AWS error code (e.g. {@code InvalidAMIID.NotFound}) of the first AWS service error in the chain, or null. */
    public static String code(Throwable t) {
        AwsServiceException e = serviceError(t);
        return e == null ? null : e.awsErrorDetails().errorCode();
    }

    /** Whether the chain holds an AWS error with one of these codes. */
    public static boolean hasCode(Throwable t, String... codes) {
        String code = code(t);
        return code != null && Set.of(codes).contains(code);
    }

    /**
     * The one "does not exist" rule: every EC2 {@code *.NotFound} code (instances, volumes, snapshots, AMIs,
     * key pairs, groups), a deregistered AMI ({@code InvalidAMIID.Unavailable}) and EBS direct's
     * {@code ResourceNotFoundException}. Right after a create it means "not visible yet"; for a delete or a
     * lookup it means "already gone".
     */
    public static boolean isNotFound(Throwable t) {
        String code = code(t);
        return code != null && (code.endsWith(".NotFound") || OTHER_NOT_FOUND.contains(code));
    }

    /** The AWS error's own message, else the message of the exception under the future's wrappers. */
    public static String message(Throwable t) {
        AwsServiceException e = serviceError(t);
        if (e != null && e.awsErrorDetails().errorMessage() != null) {
            return e.awsErrorDetails().errorMessage();
        }
        Throwable c = unwrap(t);
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /**
     * For reports an operator reads: {@code Code: message} for an AWS error, else the innermost cause with its
     * type ({@code ConnectException: Connection refused}).
     */
    public static String describe(Throwable t) {
        AwsServiceException e = serviceError(t);
        if (e != null) {
            return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
        }
        Throwable root = t;
        for (int i = 0; i < MAX_DEPTH && root.getCause() != null; i++) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * The exception under the wrappers of futures and joins ({@link CompletionException},
     * {@link ExecutionException}).
     */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < MAX_DEPTH && (c instanceof CompletionException || c instanceof ExecutionException)
                && c.getCause() != null; i++) {
            c = c.getCause();
        }
        return c;
    }

    private static AwsServiceException serviceError(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < MAX_DEPTH && c != null; i++, c = c.getCause()) {
            if (c instanceof AwsServiceException e && e.awsErrorDetails() != null
                    && e.awsErrorDetails().errorCode() != null) {
                return e;
            }
        }
        return null;
    }
}
