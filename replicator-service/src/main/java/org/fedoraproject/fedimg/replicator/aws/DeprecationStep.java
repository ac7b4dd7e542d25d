package org.fedoraproject.fedimg.replicator.aws;

import java.time.Instant;

import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/** EnableImageDeprecation: the AMI stays usable but is marked deprecated from the given time on. */
public final class DeprecationStep {

    private DeprecationStep() {
    }

    public static Uni<Void> deprecate(Ec2AsyncClient ec2, String region, String amiId, Instant at) {
        return Uni.createFrom().completionStage(() -> ec2.enableImageDeprecation(b -> b.imageId(amiId).deprecateAt(at)))
                .replaceWithVoid()
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "EnableImageDeprecation of " + amiId, region, t));
    }
}
