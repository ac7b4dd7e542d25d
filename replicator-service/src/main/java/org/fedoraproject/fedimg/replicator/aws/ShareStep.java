package org.fedoraproject.fedimg.replicator.aws;

import java.util.ArrayList;
import java.util.List;

import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication.ShareTargets;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Shares an AMI instead of making it public: encrypted AMIs always, and every AMI of a share-only stream. The
 * snapshots' createVolumePermission goes to the accounts (EC2 shares snapshots with accounts only; organizations
 * and OUs launch through the AMI's permission alone), then the AMI's launchPermission to the accounts,
 * organizations and OUs, in one call. Both are idempotent. Encrypted AMIs' targets must also be allowed to use the
 * region's KMS key by its key policy; that is KMS configuration, not done here. ResourceLimitExceeded on the AMI
 * is the AMI sharing quota (1,000 entities by default).
 */
public final class ShareStep {

    private ShareStep() {
    }

    public static Uni<Void> share(Ec2AsyncClient ec2, Permit permit, String copyOf, String region, String amiId,
            List<String> snapshotIds, List<String> accounts) {
        return share(ec2, permit, copyOf, region, amiId, snapshotIds, new ShareTargets(accounts, List.of(), List.of()));
    }

    public static Uni<Void> share(Ec2AsyncClient ec2, Permit permit, String copyOf, String region, String amiId,
            List<String> snapshotIds, ShareTargets targets) {
        permit.requireCovers(copyOf);
        if (targets.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> snapshots = Uni.createFrom().voidItem();
        if (!targets.accounts().isEmpty()) {
            for (String snap : snapshotIds) {
                snapshots = snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifySnapshotAttribute(b -> b
                                .snapshotId(snap).attribute("createVolumePermission")
                                .createVolumePermission(p -> p.add(targets.accounts().stream()
                                        .map(a -> CreateVolumePermission.builder().userId(a).build()).toList()))))
                        .replaceWithVoid()
                        .onFailure().transform(t -> failure("sharing snapshot " + snap, region, t)));
            }
        }
        List<LaunchPermission> launch = new ArrayList<>();
        targets.accounts().forEach(a -> launch.add(LaunchPermission.builder().userId(a).build()));
        targets.organizations().forEach(o -> launch.add(LaunchPermission.builder().organizationArn(o).build()));
        targets.organizationalUnits().forEach(o -> launch.add(LaunchPermission.builder().organizationalUnitArn(o).build()));
        return snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifyImageAttribute(b -> b.imageId(amiId)
                        .launchPermission(p -> p.add(launch))))
                .replaceWithVoid()
                .onFailure().transform(t -> failure("sharing AMI " + amiId, region, t)));
    }

    /** The reason a FAILED region gives: the sharing quota by name, anything else as the step's failure. */
    static RegionFailure failure(String step, String region, Throwable t) {
        if ("ResourceLimitExceeded".equals(AwsErrors.code(t))) {
            return new RegionFailure(Phase.PUBLISH, "AMI sharing quota exceeded in " + region + " while " + step
                    + " (ResourceLimitExceeded: " + AwsErrors.message(t) + "); share with fewer accounts, organizations "
                    + "or OUs, or ask AWS for a higher AMI sharing quota", AwsErrors.unwrap(t));
        }
        return RegionFailure.of(Phase.PUBLISH, step, region, t);
    }
}
