package org.fedoraproject.fedimg.replicator.aws;

import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Conditions;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Waits for a copied AMI to become available, within {@code fedimg.replicator.copy.wait.*} (EC2's own
 * waiter gives up after 40 × 15 s, too short for cross-region copies), and for several "available" answers
 * in a row: the next steps change the copy at once, and another endpoint of the region may not know it yet.
 * "Not found" right after CopyImage is eventual consistency and counts as pending. A failed copy ends the
 * wait at once with the state reason AWS gives.
 */
public final class CopyWait {

    private CopyWait() {
    }

    public static Uni<Image> await(Ec2AsyncClient ec2, String region, String amiId, Waiter.Limits limits) {
        return Waiter.await("copy " + amiId + " in " + region,
                () -> Uni.createFrom().completionStage(() -> ec2.describeImages(b -> b.imageIds(amiId)))
                        .map(r -> r.images().stream().filter(i -> amiId.equals(i.imageId())).findFirst().orElse(null))
                        .onFailure(AwsErrors::isNotFound).recoverWithNull()
                        .onFailure().transform(t -> RegionFailure.of(Phase.COPY, "waiting for " + amiId, region, t)),
                Ec2Conditions.IMAGE_AVAILABLE, limits)
                .onFailure(Waiter.Failed.class).transform(t -> new RegionFailure(Phase.COPY, t.getMessage()));
    }
}
