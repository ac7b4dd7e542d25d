package org.fedoraproject.fedimg.tester.aws;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/** Small helpers shared by the adapters: SDK futures as Uni, error codes, tags and filters. */
public final class Aws {

    private Aws() {
    }

    /** Supplier form: every (re)subscription makes a fresh call. */
    public static <T> Uni<T> call(Supplier<CompletableFuture<T>> call) {
        return Uni.createFrom().completionStage(call);
    }

    public static String errorCode(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof AwsServiceException e && e.awsErrorDetails() != null) {
            return e.awsErrorDetails().errorCode();
        }
        return null;
    }

    public static boolean hasCode(Throwable t, String... codes) {
        String code = errorCode(t);
        return code != null && Arrays.asList(codes).contains(code);
    }

    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    public static List<Tag> tags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    public static Map<String, String> map(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach(t -> m.put(t.key(), t.value()));
        }
        return m;
    }

    public static TagSpecification spec(ResourceType type, Map<String, String> tags) {
        return TagSpecification.builder().resourceType(type).tags(tags(tags)).build();
    }

    public static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    public static Filter tag(String key, String... values) {
        return filter("tag:" + key, values);
    }
}
