package org.fedoraproject.fedimg.replicator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.aws.support.AwsWarmUp;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The start-up warm-up of the services' AWS clients (aws-support's {@code AwsWarmUp}; that module has no emulator). */
class AwsWarmUpTest {

    @Test
    void oneDescribeThatFindsNothingAndChangesNothing() throws Exception {
        try (AwsEmulator emulator = AwsEmulator.builder().port(0).regions(List.of("us-east-1")).build().start();
                AwsClients aws = new AwsClients(AwsConfig.of("us-east-1", emulator.endpoint()),
                        new AwsCallMetrics(new SimpleMeterRegistry()))) {
            AwsWarmUp.warm(aws).get(30, TimeUnit.SECONDS);
            assertThat(emulator.inspect().callCounts()).containsOnlyKeys("DescribeImages").containsValue(1L);
            assertThat(emulator.inspect().images("us-east-1")).isEmpty();
        }
    }

    @Test
    void anUnreachableEndpointIsOnlyLogged() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closed);
        AwsConfig.Values config = AwsConfig.of("us-east-1", nobody).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
        try (AwsClients aws = new AwsClients(config, new AwsCallMetrics(new SimpleMeterRegistry()))) {
            AwsWarmUp.warm(aws).get(30, TimeUnit.SECONDS);
        }
    }
}
