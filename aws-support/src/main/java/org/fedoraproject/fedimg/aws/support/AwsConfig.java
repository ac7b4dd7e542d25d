package org.fedoraproject.fedimg.aws.support;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How every service reaches AWS. In production only {@code base-region} is usually set and credentials
 * come from the default chain (IRSA, instance profile, environment). Tests and local mode set
 * {@code endpoint-override} to the emulator or moto, and static dummy credentials. Outside Quarkus (the
 * command line, process-level tests, benchmarks) {@link #of} gives the same defaults.
 */
@ConfigMapping(prefix = "fedimg.aws")
public interface AwsConfig {

    String DEFAULT_MAX_ATTEMPTS = "8";
    String DEFAULT_API_CALL_ATTEMPT_TIMEOUT = "PT30S";
    String DEFAULT_API_CALL_TIMEOUT = "PT3M";
    String DEFAULT_MAX_CONNECTIONS = "128";

    /** Where images are uploaded, registered and tested; replication starts from here. */
    @WithDefault("us-east-1")
    String baseRegion();

    /** One endpoint for EC2 and EBS in every region: the emulator, moto or a VPC endpoint. */
    Optional<URI> endpointOverride();

    Optional<StaticCredentials> staticCredentials();

    /** SDK-level attempts for throttling, 5xx and transport errors: the only level that retries those. */
    @WithDefault(DEFAULT_MAX_ATTEMPTS)
    int maxAttempts();

    @WithDefault(DEFAULT_API_CALL_ATTEMPT_TIMEOUT)
    Duration apiCallAttemptTimeout();

    @WithDefault(DEFAULT_API_CALL_TIMEOUT)
    Duration apiCallTimeout();

    /** Connections per region client; bounds in-flight HTTP requests (EBS block uploads included). */
    @WithDefault(DEFAULT_MAX_CONNECTIONS)
    int maxConnections();

    /**
     * One harmless describe call at start ({@link AwsWarmUp}), so that the first image after a start does not pay
     * for the SDK's first call in this JVM.
     */
    @WithDefault("true")
    boolean warmUp();

    interface StaticCredentials {
        String accessKeyId();

        String secretAccessKey();
    }

    /**
     * The configuration outside Quarkus, with the defaults above. With an endpoint override (emulator, moto)
     * the credentials are static: {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY}, else "test";
     * without one (real AWS) they come from the default chain.
     *
     * @param endpoint null for real AWS
     */
    static Values of(String baseRegion, URI endpoint) {
        Optional<StaticCredentials> credentials = endpoint == null ? Optional.empty()
                : Optional.of(new Credentials(env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")));
        return new Values(baseRegion, Optional.ofNullable(endpoint), credentials,
                Integer.parseInt(DEFAULT_MAX_ATTEMPTS), Duration.parse(DEFAULT_API_CALL_ATTEMPT_TIMEOUT),
                Duration.parse(DEFAULT_API_CALL_TIMEOUT), Integer.parseInt(DEFAULT_MAX_CONNECTIONS));
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? "test" : v;
    }

    /** {@link AwsConfig} as plain values. */
    record Values(String baseRegion, Optional<URI> endpointOverride, Optional<StaticCredentials> staticCredentials,
            int maxAttempts, Duration apiCallAttemptTimeout, Duration apiCallTimeout, int maxConnections)
            implements AwsConfig {

        /** Outside Quarkus nothing observes the start. */
        @Override
        public boolean warmUp() {
            return false;
        }

        public Values withTimeouts(Duration attempt, Duration call) {
            return new Values(baseRegion, endpointOverride, staticCredentials, maxAttempts, attempt, call,
                    maxConnections);
        }
    }

    /** Never prints the secret. */
    record Credentials(String accessKeyId, String secretAccessKey) implements StaticCredentials {
        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
        }
    }
}
