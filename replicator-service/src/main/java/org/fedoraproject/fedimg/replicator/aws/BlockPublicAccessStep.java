package org.fedoraproject.fedimg.replicator.aws;

import java.time.Duration;

import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * Image block-public-access is on by default in new regions and makes "launchPermission group all"
 * fail. Checked before anything is made public; if it is on, the region fails with a clear reason,
 * unless config allows turning it off, in which case it is turned off and the region waited for.
 */
public final class BlockPublicAccessStep {

    static final String UNBLOCKED = "unblocked";

    private BlockPublicAccessStep() {
    }

    public static Uni<Void> ensureSharingAllowed(Ec2AsyncClient ec2, String region, boolean mayDisable, Duration delay,
            int maxAttempts) {
        return state(ec2, region).flatMap(state -> {
            if (UNBLOCKED.equals(state)) {
                return Uni.createFrom().voidItem();
            }
            if (!mayDisable) {
                return Uni.createFrom().failure(new RegionFailure(Phase.PUBLISH, "image block public access is on in "
                        + region + " (state " + state + "): the AMI cannot be made public; turn it off for the account in "
                        + region + " or set fedimg.replicator.block-public-access.disable-when-on=true"));
            }
            return Aws.call(() -> ec2.disableImageBlockPublicAccess(b -> { }))
                    .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "DisableImageBlockPublicAccess", region, t))
                    .chain(() -> awaitUnblocked(ec2, region, delay, maxAttempts, 1));
        });
    }

    private static Uni<String> state(Ec2AsyncClient ec2, String region) {
        return Aws.call(() -> ec2.getImageBlockPublicAccessState(b -> { }))
                .map(r -> r.imageBlockPublicAccessState())
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "GetImageBlockPublicAccessState", region, t));
    }

    private static Uni<Void> awaitUnblocked(Ec2AsyncClient ec2, String region, Duration delay, int maxAttempts, int attempt) {
        return state(ec2, region).flatMap(state -> {
            if (UNBLOCKED.equals(state)) {
                return Uni.createFrom().voidItem();
            }
            if (attempt >= maxAttempts) {
                return Uni.createFrom().failure(new RegionFailure(Phase.PUBLISH, "image block public access in " + region
                        + " still " + state + " after turning it off and checking " + maxAttempts + " times"));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                    .chain(() -> awaitUnblocked(ec2, region, delay, maxAttempts, attempt + 1));
        });
    }
}
