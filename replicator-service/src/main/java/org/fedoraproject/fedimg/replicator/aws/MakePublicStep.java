package org.fedoraproject.fedimg.replicator.aws;

import java.util.List;

import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;

/**
 * Makes an unencrypted AMI public: first its snapshots' createVolumePermission for group all (without
 * it users get "no permission to access the storage of this AMI"), then the AMI's launchPermission for
 * group all. An instance-store AMI has no snapshot: only its launch permission changes. Both modifications are idempotent. ResourceLimitExceeded is the public-AMI quota.
 */
public final class MakePublicStep {

    private MakePublicStep() {
    }

    /**
     * @param copyOf the base-region AMI the image was copied from (the image itself in the base region);
     *               the permit must cover it
     */
    public static Uni<Void> makePublic(Ec2AsyncClient ec2, Permit permit, String copyOf, String region, String amiId,
            List<String> snapshotIds) {
        return makePublic(ec2, permit, copyOf, region, amiId, snapshotIds, false);
    }

    /**
     * @param instanceStore the AMI boots from an S3 bundle (issue 22): it has no snapshot, and EC2 reads its parts
     *     through their {@code aws-exec-read} ACL whoever launches it, so the launch permission is all there is
     *     to change (AWS's copies of it live in AWS-made buckets with the same ACL)
     */
    public static Uni<Void> makePublic(Ec2AsyncClient ec2, Permit permit, String copyOf, String region, String amiId,
            List<String> snapshotIds, boolean instanceStore) {
        permit.requireCovers(copyOf);
        if (snapshotIds.isEmpty() && !instanceStore) {
            return Uni.createFrom().failure(new RegionFailure(Phase.PUBLISH, "AMI " + amiId + " in " + region
                    + " has no EBS snapshot to make public"));
        }
        Uni<Void> snapshots = Uni.createFrom().voidItem();
        for (String snap : snapshotIds) {
            snapshots = snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifySnapshotAttribute(b -> b.snapshotId(snap)
                            .attribute("createVolumePermission")
                            .createVolumePermission(p -> p.add(v -> v.group(PermissionGroup.ALL)))))
                    .replaceWithVoid()
                    .onFailure().transform(t -> failure("making snapshot " + snap + " public", region, t)));
        }
        return snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifyImageAttribute(b -> b.imageId(amiId)
                        .launchPermission(p -> p.add(l -> l.group(PermissionGroup.ALL)))))
                .replaceWithVoid()
                .onFailure().transform(t -> failure("making AMI " + amiId + " public", region, t)));
    }

    static RegionFailure failure(String step, String region, Throwable t) {
        String code = AwsErrors.code(t);
        if ("ResourceLimitExceeded".equals(code)) {
            return new RegionFailure(Phase.PUBLISH, "public AMI quota exceeded in " + region + " (ResourceLimitExceeded: "
                    + AwsErrors.message(t) + "); ask AWS for a higher public AMI quota or deregister old public AMIs", AwsErrors.unwrap(t));
        }
        if (code != null && code.contains("BlockPublicAccess") || code != null && code.startsWith("ImageBlockPublicAccess")) {
            return new RegionFailure(Phase.PUBLISH, "image block public access is on in " + region + " (" + code + ": "
                    + AwsErrors.message(t) + ")", AwsErrors.unwrap(t));
        }
        return RegionFailure.of(Phase.PUBLISH, step, region, t);
    }
}
