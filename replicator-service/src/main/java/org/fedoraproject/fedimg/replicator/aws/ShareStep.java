package org.fedoraproject.fedimg.replicator.aws;

import java.util.List;

import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * Encrypted AMIs are never public: they are shared with the configured accounts (snapshots'
 * createVolumePermission, then the AMI's launchPermission, per account). The accounts must also be
 * allowed to use the region's KMS key by its key policy; that is KMS configuration, not done here.
 */
public final class ShareStep {

    private ShareStep() {
    }

    public static Uni<Void> share(Ec2AsyncClient ec2, Permit permit, String copyOf, String region, String amiId,
            List<String> snapshotIds, List<String> accounts) {
        permit.requireCovers(copyOf);
        if (accounts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> snapshots = Uni.createFrom().voidItem();
        for (String snap : snapshotIds) {
            snapshots = snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifySnapshotAttribute(b -> b.snapshotId(snap)
                            .attribute("createVolumePermission")
                            .createVolumePermission(p -> p.add(accounts.stream()
                                    .map(a -> software.amazon.awssdk.services.ec2.model.CreateVolumePermission.builder().userId(a).build())
                                    .toList()))))
                    .replaceWithVoid()
                    .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "sharing snapshot " + snap, region, t)));
        }
        return snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifyImageAttribute(b -> b.imageId(amiId)
                        .launchPermission(p -> p.add(accounts.stream()
                                .map(a -> software.amazon.awssdk.services.ec2.model.LaunchPermission.builder().userId(a).build())
                                .toList()))))
                .replaceWithVoid()
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "sharing AMI " + amiId, region, t)));
    }
}
