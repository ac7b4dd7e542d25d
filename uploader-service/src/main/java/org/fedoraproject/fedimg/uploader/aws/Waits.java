package org.fedoraproject.fedimg.uploader.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.waiters.Ec2AsyncWaiter;

/**
 * The EC2 waits of an upload, each bounded by its own {@code fedimg.uploader.waits.*} attempts × delay (the
 * SDK default of 40 × 15 s is not what we want everywhere). One waiter per region on one scheduler.
 */
@ApplicationScoped
public class Waits {

    private final AwsClients aws;
    private final UploaderConfig config;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "ec2-waiter");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Ec2AsyncWaiter> waiters = new ConcurrentHashMap<>();

    @Inject
    public Waits(AwsClients aws, UploaderConfig config) {
        this.aws = aws;
        this.config = config;
    }

    public Uni<Snapshot> snapshotCompleted(String region, String snapshotId) {
        return wait(waiter(region).waitUntilSnapshotCompleted(DescribeSnapshotsRequest.builder().snapshotIds(snapshotId).build(),
                override(config.waits().snapshotCompleted())))
                .map(r -> r.snapshots().get(0));
    }

    public Uni<Image> imageAvailable(String region, String imageId) {
        return wait(waiter(region).waitUntilImageAvailable(DescribeImagesRequest.builder().imageIds(imageId).build(),
                override(config.waits().imageAvailable())))
                .map(r -> r.images().get(0));
    }

    public Uni<Void> volumeAvailable(String region, String volumeId) {
        return wait(waiter(region).waitUntilVolumeAvailable(DescribeVolumesRequest.builder().volumeIds(volumeId).build(),
                override(config.waits().volumeAvailable()))).replaceWithVoid();
    }

    public Uni<Void> instanceRunning(String region, String instanceId) {
        return wait(waiter(region).waitUntilInstanceRunning(DescribeInstancesRequest.builder().instanceIds(instanceId).build(),
                override(config.waits().instanceRunning()))).replaceWithVoid();
    }

    public Uni<Void> instanceTerminated(String region, String instanceId) {
        return wait(waiter(region).waitUntilInstanceTerminated(DescribeInstancesRequest.builder().instanceIds(instanceId).build(),
                override(config.waits().instanceRunning()))).replaceWithVoid();
    }

    private static <T> Uni<T> wait(java.util.concurrent.CompletableFuture<WaiterResponse<T>> future) {
        return Uni.createFrom().completionStage(future).map(r -> {
            if (r.matched().exception().isPresent()) {
                Throwable t = r.matched().exception().get();
                throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
            }
            return r.matched().response().orElseThrow();
        });
    }

    private static WaiterOverrideConfiguration override(UploaderConfig.Wait wait) {
        return WaiterOverrideConfiguration.builder()
                .maxAttempts(wait.maxAttempts())
                .backoffStrategyV2(software.amazon.awssdk.retries.api.BackoffStrategy.fixedDelay(wait.delay()))
                .build();
    }

    private Ec2AsyncWaiter waiter(String region) {
        return waiters.computeIfAbsent(region,
                r -> Ec2AsyncWaiter.builder().client(aws.ec2(r)).scheduledExecutorService(scheduler).build());
    }

    @PreDestroy
    void close() {
        waiters.values().forEach(Ec2AsyncWaiter::close);
        scheduler.shutdownNow();
    }
}
