package org.fedoraproject.fedimg.aws.support;

import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The first AWS call in a JVM pays for the SDK's class loading and initialisation (its request pipeline, endpoint
 * rules, signer) and the HTTP client's first connection and TLS handshake: 1-2 s, measured on the first image after
 * a start, where it made the per-stage p99 several times the median (issue 20). One describe that matches nothing,
 * in the background at start, moves that cost out of the first image's path. Every service that calls AWS may
 * describe images. A failure is only logged: it is a warm-up, and a wrong endpoint or credential shows itself on the
 * first real call anyway.
 */
@ApplicationScoped
public class AwsWarmUp {

    private static final Logger LOG = Logger.getLogger(AwsWarmUp.class);
    /** A name no image has: the call returns nothing and touches nothing. */
    static final String NO_SUCH_NAME = "fedimg-warm-up-matches-no-image";

    void onStart(@Observes StartupEvent started, AwsConfig config, AwsClients aws) {
        if (config.warmUp()) {
            warm(aws);
        }
    }

    /** Completes when the warm-up call has ended, however it ended; never fails. */
    public static CompletableFuture<Void> warm(AwsClients aws) {
        long start = System.nanoTime();
        String region = aws.baseRegion();
        return aws.ec2(region)
                .describeImages(r -> r.owners("self").filters(Filter.builder().name("name").values(NO_SUCH_NAME).build()))
                .handle((answer, failure) -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (failure == null) {
                        LOG.infof("AWS client warmed up in %s: DescribeImages took %d ms", region, ms);
                    } else {
                        LOG.warnf("AWS warm-up call in %s failed after %d ms (the first real call will say more): %s",
                                region, ms, AwsErrors.describe(failure));
                    }
                    return null;
                });
    }
}
