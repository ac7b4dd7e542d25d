package org.fedoraproject.fedimg.tester.aws;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.fedoraproject.fedimg.aws.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.aws.AwsConfig;

import io.micrometer.core.instrument.MeterRegistry;

/** One {@link AwsClients} for the service (every AWS call counted in {@code fedimg.aws.calls}) and the waiters' scheduler. */
@ApplicationScoped
public class AwsProducer {

    @Produces
    @Singleton
    AwsClients awsClients(AwsConfig config, MeterRegistry registry) {
        return new AwsClients(config, new AwsCallMetrics(registry));
    }

    void close(@Disposes AwsClients clients) {
        clients.close();
    }

    @Produces
    @Singleton
    @Named("waiters")
    ScheduledExecutorService waiterScheduler() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "fedimg-tester-waiters");
            t.setDaemon(true);
            return t;
        });
    }

    void close(@Disposes @Named("waiters") ScheduledExecutorService scheduler) {
        scheduler.shutdownNow();
    }
}
