package org.fedoraproject.fedimg.uploader.aws;

import java.util.ArrayList;
import java.util.List;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.DeleteSnapshotRequest;
import software.amazon.awssdk.services.ec2.model.DeleteVolumeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeVolumesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;
import software.amazon.awssdk.services.ec2.model.VolumeState;

/**
 * Removes what a failed upload of one image (and respin) left behind, found by its tags: unfinished
 * snapshots, utility instances and their volumes. Completed snapshots are kept: they exist only after the
 * download was verified, and a re-run reuses them.
 */
public final class UnfinishedResources {

    private static final Logger LOG = Logger.getLogger(UnfinishedResources.class);

    private final AwsClients aws;
    private final SnapshotLookup snapshots;
    private final Waits waits;

    public UnfinishedResources(AwsClients aws, SnapshotLookup snapshots, Waits waits) {
        this.aws = aws;
        this.snapshots = snapshots;
        this.waits = waits;
    }

    public Uni<Void> remove(String region, String imageKey, int respin) {
        return terminateUtilityInstances(region, imageKey, respin)
                .chain(() -> deleteUtilityVolumes(region, imageKey, respin))
                .chain(() -> deleteUnfinishedSnapshots(region, imageKey, respin));
    }

    Uni<Void> deleteUnfinishedSnapshots(String region, String imageKey, int respin) {
        return snapshots.find(region, imageKey, respin, null).chain(found -> all(found.stream()
                .filter(s -> s.state() != SnapshotState.COMPLETED)
                .map(s -> {
                    LOG.infof("deleting unfinished snapshot %s (%s) of %s in %s", s.snapshotId(), s.stateAsString(),
                            imageKey, region);
                    return ignoreNotFound(Uni.createFrom().completionStage(() -> aws.ec2(region)
                            .deleteSnapshot(DeleteSnapshotRequest.builder().snapshotId(s.snapshotId()).build())));
                }).toList()));
    }

    Uni<Void> terminateUtilityInstances(String region, String imageKey, int respin) {
        DescribeInstancesRequest req = DescribeInstancesRequest.builder().filters(
                Ec2Tags.tag(AwsTags.IMAGE_KEY, imageKey), Ec2Tags.tag(AwsTags.RESPIN, String.valueOf(respin)),
                Ec2Tags.tag(AwsTags.PURPOSE, UtilityInstanceEngine.PURPOSE_INSTANCE),
                Ec2Tags.filter("instance-state-name", "pending", "running", "stopping", "stopped", "shutting-down"))
                .build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(req)).chain(r -> {
            List<String> ids = new ArrayList<>();
            r.reservations().forEach(res -> res.instances().stream()
                    .filter(i -> i.state().name() != InstanceStateName.TERMINATED)
                    .map(Instance::instanceId).forEach(ids::add));
            if (ids.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("terminating utility instances %s of %s in %s", ids, imageKey, region);
            return Uni.createFrom().completionStage(() -> aws.ec2(region)
                    .terminateInstances(TerminateInstancesRequest.builder().instanceIds(ids).build()))
                    .chain(() -> all(ids.stream().map(id -> waits.instanceTerminated(region, id)).toList()));
        });
    }

    Uni<Void> deleteUtilityVolumes(String region, String imageKey, int respin) {
        DescribeVolumesRequest req = DescribeVolumesRequest.builder().filters(
                Ec2Tags.tag(AwsTags.IMAGE_KEY, imageKey), Ec2Tags.tag(AwsTags.RESPIN, String.valueOf(respin)),
                Ec2Tags.tag(AwsTags.PURPOSE, UtilityInstanceEngine.PURPOSE_VOLUME)).build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeVolumes(req)).chain(r -> all(
                r.volumes().stream().filter(v -> v.state() != VolumeState.DELETED && v.state() != VolumeState.DELETING)
                        .map(v -> {
                            LOG.infof("deleting utility volume %s of %s in %s", v.volumeId(), imageKey, region);
                            Uni<Void> detached = v.state() == VolumeState.IN_USE
                                    ? Uni.createFrom().completionStage(() -> aws.ec2(region).detachVolume(
                                            b -> b.volumeId(v.volumeId()).force(true)))
                                            .chain(() -> waits.volumeAvailable(region, v.volumeId()))
                                    : Uni.createFrom().voidItem();
                            return detached.chain(() -> ignoreNotFound(Uni.createFrom().completionStage(() -> aws
                                    .ec2(region).deleteVolume(DeleteVolumeRequest.builder().volumeId(v.volumeId())
                                            .build()))));
                        }).toList()));
    }

    private static <T> Uni<Void> ignoreNotFound(Uni<T> call) {
        return call.replaceWithVoid().onFailure(AwsErrors::isNotFound).recoverWithNull().replaceWithVoid();
    }

    private static Uni<Void> all(List<Uni<Void>> unis) {
        return unis.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(unis).andCollectFailures().replaceWithVoid();
    }
}
