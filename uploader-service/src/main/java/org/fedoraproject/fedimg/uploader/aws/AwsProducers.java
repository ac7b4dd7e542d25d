package org.fedoraproject.fedimg.uploader.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.fedoraproject.fedimg.aws.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.aws.AwsConfig;

import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;

/** The service's AWS clients: one EC2 and one EBS client per region over the shared Netty client. */
@ApplicationScoped
public class AwsProducers {

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
    EbsClients ebsClients(AwsClients clients) {
        return new EbsClients(clients);
    }

    void close(@Disposes EbsClients clients) {
        clients.close();
    }

    /** EBS direct clients per region, configured exactly like the EC2 ones (retries, timeouts, metrics). */
    public static final class EbsClients implements AutoCloseable {
        private final AwsClients clients;
        private final Map<String, EbsAsyncClient> ebs = new ConcurrentHashMap<>();

        public EbsClients(AwsClients clients) {
            this.clients = clients;
        }

        public EbsAsyncClient ebs(String region) {
            return ebs.computeIfAbsent(region, r -> clients.configure(EbsAsyncClient.builder(), r).build());
        }

        @Override
        public void close() {
            ebs.values().forEach(EbsAsyncClient::close);
        }
    }
}
