package org.fedoraproject.fedimg.aws.support;

import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;

/**
 * Counts every AWS API attempt by operation, region and outcome ({@code ok}, {@code throttled},
 * {@code error}): {@code fedimg_aws_calls_total}. Dashboards and alerts read it for AWS API health.
 */
public final class AwsCallMetrics implements ExecutionInterceptor {

    public static final String METER = "fedimg.aws.calls";
    private final MeterRegistry registry;

    public AwsCallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        count(attributes, "ok", null);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable t = context.exception();
        String outcome = t instanceof AwsServiceException e && e.isThrottlingException() ? "throttled" : "error";
        String code = t instanceof AwsServiceException e && e.awsErrorDetails() != null
                ? e.awsErrorDetails().errorCode() : t.getClass().getSimpleName();
        count(attributes, outcome, code);
    }

    private void count(ExecutionAttributes attributes, String outcome, String errorCode) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        String region = Optional.ofNullable(attributes.getAttribute(AwsExecutionAttribute.AWS_REGION))
                .map(Object::toString).orElse("unknown");
        registry.counter(METER, Tags.of("operation", operation, "region", region, "outcome", outcome,
                "error_code", errorCode == null ? "none" : errorCode)).increment();
    }
}
