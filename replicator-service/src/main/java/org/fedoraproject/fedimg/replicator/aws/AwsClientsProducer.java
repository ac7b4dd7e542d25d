package org.fedoraproject.fedimg.replicator.aws;

import org.fedoraproject.fedimg.aws.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.aws.AwsConfig;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** One {@link AwsClients} (a client per region over one Netty client) for the whole service. */
@ApplicationScoped
public class AwsClientsProducer {

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
