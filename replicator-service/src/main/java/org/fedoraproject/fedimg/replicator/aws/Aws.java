package org.fedoraproject.fedimg.replicator.aws;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Small bridges between the async SDK and Mutiny, shared by the step classes. */
final class Aws {

    private Aws() {
    }

    /** Supplier form: every (re)subscription calls AWS again; a retry never replays a cached failure. */
    static <T> Uni<T> call(Supplier<CompletableFuture<T>> call) {
        return Uni.createFrom().completionStage(call);
    }

    static Filter filter(String name, String value) {
        return Filter.builder().name(name).values(value).build();
    }

    static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    static String errorCode(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof AwsServiceException e && e.awsErrorDetails() != null) {
            return e.awsErrorDetails().errorCode();
        }
        return null;
    }

    static String errorMessage(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof AwsServiceException e && e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null) {
            return e.awsErrorDetails().errorMessage();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    static boolean isNotFound(Throwable t) {
        String code = errorCode(t);
        return code != null && (code.endsWith(".NotFound"));
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
