package org.fedoraproject.fedimg.aws.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

    static AwsServiceException aws(String code, String message) {
        return AwsServiceException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    @Test
    void theCodeIsFoundAnywhereInTheCauseChain() {
        AwsServiceException e = aws("InvalidAMIID.NotFound", "no such AMI");
        assertThat(AwsErrors.code(e)).isEqualTo("InvalidAMIID.NotFound");
        assertThat(AwsErrors.code(new CompletionException(e))).isEqualTo("InvalidAMIID.NotFound");
        assertThat(AwsErrors.code(new ExecutionException(new CompletionException(e)))).isEqualTo("InvalidAMIID.NotFound");
        // an SDK wrapper, and one of our own exceptions carrying it
        assertThat(AwsErrors.code(new CompletionException(SdkClientException.create("wrapped", e))))
                .isEqualTo("InvalidAMIID.NotFound");
        assertThat(AwsErrors.code(new IllegalStateException("step failed", new CompletionException(e))))
                .isEqualTo("InvalidAMIID.NotFound");
        assertThat(AwsErrors.code(new CompletionException(new ConnectException("refused")))).isNull();
    }

    @Test
    void oneNotFoundRule() {
        for (String code : new String[] {"InvalidInstanceID.NotFound", "InvalidVolume.NotFound", "InvalidAMIID.NotFound",
                "InvalidSnapshot.NotFound", "InvalidKeyPair.NotFound", "InvalidGroup.NotFound",
                "InvalidAMIID.Unavailable", "ResourceNotFoundException"}) {
            assertThat(AwsErrors.isNotFound(new CompletionException(aws(code, "x")))).as(code).isTrue();
        }
        for (String code : new String[] {"DependencyViolation", "InvalidParameterValue", "RequestLimitExceeded",
                "InvalidAMIID.Malformed"}) {
            assertThat(AwsErrors.isNotFound(aws(code, "x"))).as(code).isFalse();
        }
        assertThat(AwsErrors.isNotFound(new RuntimeException("NotFound"))).isFalse();
    }

    @Test
    void codesAreMatchedExactly() {
        AwsServiceException e = aws("DependencyViolation", "in use");
        assertThat(AwsErrors.hasCode(new CompletionException(e), "InvalidGroup.InUse", "DependencyViolation")).isTrue();
        assertThat(AwsErrors.hasCode(e, "Dependency")).isFalse();
        assertThat(AwsErrors.hasCode(new RuntimeException(), "DependencyViolation")).isFalse();
    }

    @Test
    void messagesForOperators() {
        AwsServiceException e = aws("ResourceLimitExceeded", "too many public AMIs");
        assertThat(AwsErrors.message(new CompletionException(e))).isEqualTo("too many public AMIs");
        assertThat(AwsErrors.describe(new CompletionException(e))).isEqualTo("ResourceLimitExceeded: too many public AMIs");
        Throwable io = new CompletionException(new IllegalStateException("read failed", new ConnectException("refused")));
        assertThat(AwsErrors.message(io)).isEqualTo("read failed");
        assertThat(AwsErrors.describe(io)).isEqualTo("ConnectException: refused");
        assertThat(AwsErrors.unwrap(new ExecutionException(new CompletionException(e)))).isSameAs(e);
    }
}
