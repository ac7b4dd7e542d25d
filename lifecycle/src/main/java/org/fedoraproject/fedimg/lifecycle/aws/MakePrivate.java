package org.fedoraproject.fedimg.lifecycle.aws;

import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;

/**
 * ModifyImageAttribute: removes the AMI's launch permission for everyone. Its snapshots go first
 * ({@link MakeSnapshotPrivate}): killed in between, the AMI is still public and the next run redoes both, so no
 * snapshot stays public behind a private AMI. Both are idempotent.
 */
public final class MakePrivate {

    private MakePrivate() {
    }

    public static Uni<Void> apply(Ec2AsyncClient ec2, ManagedAmi ami) {
        Uni<Void> snapshots = Uni.createFrom().voidItem();
        for (String snap : ami.snapshotIds()) {
            snapshots = snapshots.chain(() -> MakeSnapshotPrivate.apply(ec2, snap));
        }
        return snapshots.chain(() -> Uni.createFrom().completionStage(() -> ec2.modifyImageAttribute(b -> b
                        .imageId(ami.amiId()).launchPermission(p -> p.remove(l -> l.group(PermissionGroup.ALL)))))
                .replaceWithVoid());
    }
}
