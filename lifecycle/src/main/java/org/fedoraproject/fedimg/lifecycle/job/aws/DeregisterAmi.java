package org.fedoraproject.fedimg.lifecycle.job.aws;

import org.fedoraproject.fedimg.aws.support.AwsErrors;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * DeregisterImage with DeleteAssociatedSnapshots: the AMI and its snapshots go in one call, so no kill in the
 * middle leaves an orphan snapshot. An AMI already gone counts as done; a protected one fails (an operator's
 * deregistration protection wins).
 */
public final class DeregisterAmi {

    private DeregisterAmi() {
    }

    public static Uni<Void> apply(Ec2AsyncClient ec2, String amiId) {
        return Uni.createFrom().completionStage(() -> ec2.deregisterImage(b -> b.imageId(amiId).deleteAssociatedSnapshots(true)))
                .replaceWithVoid()
                .onFailure(AwsErrors::isNotFound).recoverWithNull().replaceWithVoid();
    }
}
