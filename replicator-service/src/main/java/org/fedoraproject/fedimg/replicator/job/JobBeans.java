package org.fedoraproject.fedimg.replicator.job;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.replicator.catalogue.PublishedStore;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings;
import org.fedoraproject.fedimg.replicator.config.ReplicatorConfig;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the plain engine classes into CDI. */
@ApplicationScoped
public class JobBeans {

    @Produces
    @Singleton
    ReplicationSettings settings(ReplicatorConfig config) {
        return ReplicationSettings.from(config);
    }

    @Produces
    @Singleton
    ReplicatorMetrics metrics(MeterRegistry registry) {
        return new ReplicatorMetrics(registry);
    }

    @Produces
    @Singleton
    ReplicationEngine engine(AwsClients aws, ReplicationSettings settings, ReplicatorMetrics metrics) {
        return new ReplicationEngine(aws, settings, metrics, Clock.systemUTC(), stopping::get);
    }

    private final AtomicBoolean stopping = new AtomicBoolean();

    // Before the AWS clients and the Kafka producers go away, so interrupted regions are not recorded as failed.
    void onStop(@Observes @Priority(1) ShutdownEvent e) {
        stopping.set(true);
    }

    @Produces
    @Singleton
    PublishedStore store() {
        return new PublishedStore();
    }

    @Produces
    @Singleton
    AsyncSemaphore slots(ReplicatorConfig config) {
        if (config.jobs().maxConcurrent() < 1) {
            throw new IllegalArgumentException("fedimg.replicator.jobs.max-concurrent must be at least 1");
        }
        return new AsyncSemaphore(config.jobs().maxConcurrent());
    }
}
