package org.fedoraproject.fedimg.replicator.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator.ExpectedVariant;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

/** Reads AMIs: the tested source in the base region, and every variant registered for an image. */
public final class SourceImages {

    private SourceImages() {
    }

    /** The AMI, or a {@link RegionFailure} saying it does not exist (deregistered since the test?). */
    public static Uni<Image> describe(Ec2AsyncClient ec2, String region, String amiId) {
        return Uni.createFrom().completionStage(() -> ec2.describeImages(b -> b.imageIds(amiId)))
                .map(r -> r.images().stream().filter(i -> amiId.equals(i.imageId())).findFirst().orElse(null))
                .onFailure(AwsErrors::isNotFound).recoverWithNull()
                .onFailure().transform(t -> RegionFailure.of(RegionFailure.Phase.COPY, "DescribeImages of the source AMI " + amiId,
                        region, t))
                .onItem().ifNull().failWith(() -> new RegionFailure(RegionFailure.Phase.COPY,
                        "source AMI " + amiId + " not found in " + region + " (deregistered after its test?)"));
    }

    /**
     * The variants of an image: the AMIs in the base region tagged with its image key and respin, which
     * the uploader registered before testing any of them. Copies carry {@code fedimg:source-ami} and are
     * not variants; deregistered or failed AMIs are not either.
     */
    public static Uni<List<ExpectedVariant>> variants(Ec2AsyncClient base, String imageKey, int respin) {
        return Uni.createFrom().completionStage(() -> base.describeImages(b -> b.owners("self")
                        .filters(Ec2Tags.filter("tag:" + AwsTags.IMAGE_KEY, imageKey))))
                .map(r -> {
                    Map<String, ExpectedVariant> bySlug = new LinkedHashMap<>();
                    for (Image i : r.images()) {
                        Map<String, String> tags = Ec2Tags.map(i.tags());
                        if (!imageKey.equals(tags.get(AwsTags.IMAGE_KEY)) || tags.containsKey(AwsTags.SOURCE_AMI)
                                || !String.valueOf(respin).equals(tags.getOrDefault(AwsTags.RESPIN, "0"))
                                || tags.get(AwsTags.VARIANT) == null
                                || i.state() == ImageState.FAILED || i.state() == ImageState.DEREGISTERED
                                || i.state() == ImageState.ERROR || i.state() == ImageState.INVALID) {
                            continue;
                        }
                        bySlug.putIfAbsent(tags.get(AwsTags.VARIANT), new ExpectedVariant(tags.get(AwsTags.VARIANT), i.imageId()));
                    }
                    return List.copyOf(bySlug.values());
                });
    }

    public static List<String> snapshotIds(Image image) {
        return image.blockDeviceMappings().stream()
                .map(BlockDeviceMapping::ebs).filter(Objects::nonNull)
                .map(e -> e.snapshotId()).filter(Objects::nonNull).distinct().toList();
    }
}
