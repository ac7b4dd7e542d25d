package org.fedoraproject.fedimg.replicator.aws;

import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * CreateTags on a copy and its snapshots. CopyImage already asks for them through TagSpecifications;
 * this makes sure they are there even for a copy found from an earlier run. CreateTags overwrites, so
 * it is idempotent.
 */
public final class TagStep {

    private TagStep() {
    }

    public static Uni<Void> ensure(Ec2AsyncClient ec2, String region, String amiId, List<String> snapshotIds,
            Map<String, String> tags) {
        Uni<Void> image = Uni.createFrom().completionStage(() -> ec2.createTags(b -> b.resources(amiId).tags(Ec2Tags.ec2(tags)))).replaceWithVoid();
        Uni<Void> snaps = snapshotIds.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.createFrom().completionStage(() -> ec2.createTags(b -> b.resources(snapshotIds).tags(Ec2Tags.ec2(CopyStep.snapshotTags(tags)))))
                        .replaceWithVoid();
        return image.chain(() -> snaps)
                .onFailure().transform(t -> RegionFailure.of(Phase.COPY, "tagging " + amiId, region, t));
    }
}
