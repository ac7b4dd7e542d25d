package org.fedoraproject.fedimg.replicator.aws;

import java.time.Duration;

import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

/**
 * Waits for a copied AMI to become available: DescribeImages every {@code delay}, at most
 * {@code maxAttempts} times (both from config; EC2's own waiter gives up after 40 × 15 s, too short for
 * cross-region copies). "Not found" right after CopyImage is eventual consistency and counts as pending.
 * A failed copy ends the wait at once with the state reason AWS gives.
 */
public final class ImageAvailableWaiter {

    private ImageAvailableWaiter() {
    }

    public static Uni<Image> await(Ec2AsyncClient ec2, String region, String amiId, Duration delay, int maxAttempts) {
        return poll(ec2, region, amiId, delay, maxAttempts, 1);
    }

    private static Uni<Image> poll(Ec2AsyncClient ec2, String region, String amiId, Duration delay, int maxAttempts, int attempt) {
        return Aws.call(() -> ec2.describeImages(b -> b.imageIds(amiId)))
                .map(r -> r.images().stream().filter(i -> amiId.equals(i.imageId())).findFirst().orElse(null))
                .onFailure(Aws::isNotFound).recoverWithNull()
                .onFailure(t -> !(t instanceof RegionFailure))
                .transform(t -> RegionFailure.of(Phase.COPY, "waiting for " + amiId, region, t))
                .flatMap(image -> {
                    if (image != null && image.state() == ImageState.AVAILABLE) {
                        return Uni.createFrom().item(image);
                    }
                    if (image != null && image.state() != ImageState.PENDING) {
                        String why = image.stateReason() == null ? "" : ": " + image.stateReason().message();
                        return Uni.createFrom().failure(new RegionFailure(Phase.COPY,
                                "copy " + amiId + " in " + region + " ended in state " + image.stateAsString() + why));
                    }
                    if (attempt >= maxAttempts) {
                        return Uni.createFrom().failure(new RegionFailure(Phase.COPY, "copy " + amiId + " in " + region
                                + " not available after " + maxAttempts + " checks " + delay.toSeconds() + " s apart"
                                + (image == null ? " (still not found)" : " (still pending)")));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(delay)
                            .flatMap(x -> poll(ec2, region, amiId, delay, maxAttempts, attempt + 1));
                });
    }
}
