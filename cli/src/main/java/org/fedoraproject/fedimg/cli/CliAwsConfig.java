package org.fedoraproject.fedimg.cli;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AwsConfig;

/** {@link AwsConfig} for the command line, where there is no Quarkus config. */
public record CliAwsConfig(String baseRegion, Optional<URI> endpointOverride, Optional<StaticCredentials> staticCredentials)
        implements AwsConfig {

    /** Static credentials only for an endpoint override (emulator, moto); real AWS uses the default chain. */
    public static CliAwsConfig of(String baseRegion, URI endpoint) {
        Optional<StaticCredentials> creds = endpoint == null ? Optional.empty()
                : Optional.of(new Creds(env("AWS_ACCESS_KEY_ID", "test"), env("AWS_SECRET_ACCESS_KEY", "test")));
        return new CliAwsConfig(baseRegion, Optional.ofNullable(endpoint), creds);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Override
    public int maxAttempts() {
        return 8;
    }

    @Override
    public Duration apiCallAttemptTimeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    public Duration apiCallTimeout() {
        return Duration.ofMinutes(3);
    }

    @Override
    public int maxConnections() {
        return 64;
    }

    private record Creds(String accessKeyId, String secretAccessKey) implements StaticCredentials {
        @Override
        public String toString() {
            return "Creds[accessKeyId=" + accessKeyId + ", secretAccessKey=***]";
        }
    }
}
