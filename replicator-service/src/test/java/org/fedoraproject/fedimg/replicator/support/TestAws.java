package org.fedoraproject.fedimg.replicator.support;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.aws.AwsConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** {@link AwsClients} outside Quarkus (process-level tests, benchmark), pointed at an emulator. */
public final class TestAws {

    private TestAws() {
    }

    public static AwsClients clients(URI endpoint) {
        return new AwsClients(config(endpoint), new AwsCallMetrics(new SimpleMeterRegistry()));
    }

    public static AwsConfig config(URI endpoint) {
        return new AwsConfig() {
            @Override
            public String baseRegion() {
                return SourceAmis.BASE;
            }

            @Override
            public Optional<URI> endpointOverride() {
                return Optional.of(endpoint);
            }

            @Override
            public Optional<StaticCredentials> staticCredentials() {
                return Optional.of(new StaticCredentials() {
                    @Override
                    public String accessKeyId() {
                        return "test";
                    }

                    @Override
                    public String secretAccessKey() {
                        return "test";
                    }
                });
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
                return 128;
            }
        };
    }
}
