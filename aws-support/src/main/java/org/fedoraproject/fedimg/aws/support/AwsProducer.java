package org.fedoraproject.fedimg.aws.support;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@link AwsClients} of a service: EC2 and EBS clients per region over one Netty client, every AWS call
 * counted in {@code fedimg.aws.calls}.
 */
@ApplicationScoped
public class AwsProducer {

    @Produces
    @Singleton
    AwsClients awsClients(AwsConfig config, MeterRegistry registry) {
        return new AwsClients(config, new AwsCallMetrics(registry));
    }

    // Runs at shutdown on the main thread, not on an event loop: Netty's close may block.
    void close(@Disposes AwsClients clients) {
        clients.close();
    }
}
