package org.fedoraproject.fedimg.uploader.aws;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Conditions;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * The EC2 waits of an upload, each bounded by its own {@code fedimg.uploader.waits.*} limits. Every resource
 * waited for was just created or changed by the upload, so "not found" is "not visible yet" (pending),
 * except for an instance waited for to terminate, which may be gone already.
 */
@ApplicationScoped
public class Waits {

    private final AwsClients aws;
    private final UploaderConfig.Waits limits;

    @Inject
    public Waits(AwsClients aws, UploaderConfig config) {
        this.aws = aws;
        this.limits = config.waits();
    }

    public Uni<Snapshot> snapshotCompleted(String region, String snapshotId) {
        return Waiter.await("snapshot " + snapshotId + " in " + region, notFoundIsNull(() -> aws.ec2(region)
                .describeSnapshots(b -> b.snapshotIds(snapshotId)).thenApply(r -> first(r.snapshots()))),
                Ec2Conditions.SNAPSHOT_COMPLETED, limits(limits.snapshotCompleted()));
    }

    public Uni<Image> imageAvailable(String region, String imageId) {
        return Waiter.await("AMI " + imageId + " in " + region, notFoundIsNull(() -> aws.ec2(region)
                .describeImages(b -> b.imageIds(imageId)).thenApply(r -> first(r.images()))),
                Ec2Conditions.IMAGE_AVAILABLE, limits(limits.imageAvailable()));
    }

    public Uni<Void> volumeAvailable(String region, String volumeId) {
        return Waiter.await("volume " + volumeId + " in " + region, notFoundIsNull(() -> aws.ec2(region)
                .describeVolumes(b -> b.volumeIds(volumeId)).thenApply(r -> first(r.volumes()))),
                Ec2Conditions.VOLUME_AVAILABLE, limits(limits.volumeAvailable())).replaceWithVoid();
    }

    public Uni<Void> instanceRunning(String region, String instanceId) {
        return Waiter.await("instance " + instanceId + " in " + region, describeInstance(region, instanceId),
                Ec2Conditions.INSTANCE_RUNNING, limits(limits.instanceRunning())).replaceWithVoid();
    }

    public Uni<Void> instanceTerminated(String region, String instanceId) {
        return Waiter.await("instance " + instanceId + " in " + region, describeInstance(region, instanceId),
                Ec2Conditions.INSTANCE_TERMINATED, limits(limits.instanceTerminated())).replaceWithVoid();
    }

    private Supplier<Uni<Instance>> describeInstance(String region, String instanceId) {
        return notFoundIsNull(() -> aws.ec2(region).describeInstances(b -> b.instanceIds(instanceId))
                .thenApply(r -> first(r.reservations().stream().flatMap(res -> res.instances().stream()).toList())));
    }

    private static <T> Supplier<Uni<T>> notFoundIsNull(Supplier<CompletableFuture<T>> call) {
        return () -> Uni.createFrom().completionStage(call).onFailure(AwsErrors::isNotFound).recoverWithNull();
    }

    private static <T> T first(List<T> items) {
        return items.isEmpty() ? null : items.get(0);
    }

    private static Waiter.Limits limits(UploaderConfig.Wait wait) {
        return Waiter.Limits.of(wait.maxAttempts(), wait.delay()).inARow(wait.successesInARow());
    }
}
