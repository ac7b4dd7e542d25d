package org.fedoraproject.fedimg.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How every service reaches AWS. In production only {@code base-region} is usually set and credentials
 * come from the default chain (IRSA, instance profile, environment). Tests and local mode set
 * {@code endpoint-override} to the emulator or moto, and static dummy credentials.
 */
@ConfigMapping(prefix = "fedimg.aws")
public interface AwsConfig {

    /** Where images are uploaded, registered and tested; replication starts from here. */
    @WithDefault("us-east-1")
    String baseRegion();

    /** One endpoint for EC2 and EBS in every region: the emulator, moto or a VPC endpoint. */
    Optional<URI> endpointOverride();

    Optional<StaticCredentials> staticCredentials();

    /** SDK-level attempts for throttling, 5xx and transport errors: the only level that retries those. */
    @WithDefault("8")
    int maxAttempts();

    @WithDefault("PT30S")
    Duration apiCallAttemptTimeout();

    @WithDefault("PT3M")
    Duration apiCallTimeout();

    /** Connections per region client; bounds in-flight HTTP requests (EBS block uploads included). */
    @WithDefault("128")
    int maxConnections();

    interface StaticCredentials {
        String accessKeyId();

        String secretAccessKey();
    }
}
