package org.fedoraproject.fedimg.lifecycle.aws;

import org.fedoraproject.fedimg.aws.support.AwsErrors;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;

/** ModifySnapshotAttribute: removes a snapshot's create-volume permission for everyone; a deleted one is done. */
public final class MakeSnapshotPrivate {

    private MakeSnapshotPrivate() {
    }

    public static Uni<Void> apply(Ec2AsyncClient ec2, String snapshotId) {
        return Uni.createFrom().completionStage(() -> ec2.modifySnapshotAttribute(b -> b.snapshotId(snapshotId)
                        .attribute("createVolumePermission")
                        .createVolumePermission(p -> p.remove(v -> v.group(PermissionGroup.ALL)))))
                .replaceWithVoid()
                .onFailure(AwsErrors::isNotFound).recoverWithNull().replaceWithVoid();
    }
}
