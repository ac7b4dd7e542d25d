package org.fedoraproject.fedimg.replicator.aws;

import java.util.Set;

import org.fedoraproject.fedimg.aws.support.Waiter;
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
    /** The account's state ({@code block-new-sharing} when on) until it reads unblocked. */
    private static final Waiter.Condition<String> UNBLOCKED_STATE = new Waiter.Condition<>(UNBLOCKED, s -> s,
            Set.of(UNBLOCKED), Set.of(), null);

    private BlockPublicAccessStep() {
    }

    public static Uni<Void> ensureSharingAllowed(Ec2AsyncClient ec2, String region, boolean mayDisable,
            Waiter.Limits unblockWait) {
        return state(ec2, region).flatMap(state -> {
            if (UNBLOCKED.equals(state)) {
                return Uni.createFrom().voidItem();
            }
            if (!mayDisable) {
                return Uni.createFrom().failure(new RegionFailure(Phase.PUBLISH, "image block public access is on in "
                        + region + " (state " + state + "): the AMI cannot be made public; turn it off for the account in "
                        + region + " or set fedimg.replicator.block-public-access.disable-when-on=true"));
            }
            return Uni.createFrom().completionStage(() -> ec2.disableImageBlockPublicAccess(b -> { }))
                    .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "DisableImageBlockPublicAccess", region, t))
                    .chain(() -> awaitUnblocked(ec2, region, unblockWait));
        });
    }

    private static Uni<String> state(Ec2AsyncClient ec2, String region) {
        return Uni.createFrom().completionStage(() -> ec2.getImageBlockPublicAccessState(b -> { }))
                .map(r -> r.imageBlockPublicAccessState())
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "GetImageBlockPublicAccessState", region, t));
    }

    private static Uni<Void> awaitUnblocked(Ec2AsyncClient ec2, String region, Waiter.Limits limits) {
        return Waiter.await("image block public access in " + region + " (turned off)", () -> state(ec2, region),
                UNBLOCKED_STATE, limits)
                .onFailure(Waiter.Failed.class).transform(t -> new RegionFailure(Phase.PUBLISH, t.getMessage()))
                .replaceWithVoid();
    }
}
