package org.fedoraproject.fedimg.replicator.aws;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.ClientTokens;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * CopyImage into one region, EBS-backed and instance-store AMIs alike (AWS copies an instance-store AMI's bundle
 * into an {@code amis-for-<account>-in-<region>-…} bucket it makes with ACLs enabled), idempotently: first look for the copy by its deterministic name (the same
 * AMI name in every region); copy only when there is none, with a ClientToken derived from image,
 * variant, region and source AMI, so a retry or a restart converges on the one copy.
 */
public final class CopyStep {

    /** The copy's id, and whether this call started it (false: it existed already). */
    public record Copy(String amiId, boolean started) {
    }

    private CopyStep() {
    }

    /**
     * @param kmsKeyId for encrypted variants: the KMS key of the target region (required), else empty
     */
    public static Uni<Copy> findOrCopy(Ec2AsyncClient ec2, Permit permit, String sourceRegion, Image source,
            String region, Map<String, String> tags, Optional<String> kmsKeyId) {
        permit.requireCovers(source.imageId());
        String name = source.name();
        return findByName(ec2, name)
                .onFailure().transform(t -> RegionFailure.of(Phase.COPY, "looking up the copy " + name, region, t))
                .flatMap(existing -> {
                    Optional<Image> usable = existing.stream().filter(i -> !failed(i)).findFirst();
                    if (usable.isPresent()) {
                        Image i = usable.get();
                        String from = Ec2Tags.map(i.tags()).get(AwsTags.SOURCE_AMI);
                        if (!source.imageId().equals(from)) {
                            return Uni.createFrom().failure(new RegionFailure(Phase.COPY, "an AMI named " + name
                                    + " already exists in " + region + " (" + i.imageId() + ") but is not a copy of "
                                    + source.imageId() + (from == null ? " (no " + AwsTags.SOURCE_AMI + " tag)"
                                            : " (copy of " + from + ")")
                                    + "; deregister it or re-upload with a new respin"));
                        }
                        return Uni.createFrom().item(new Copy(i.imageId(), false));
                    }
                    // A failed copy keeps its name: deregister it, with the snapshots it made (else they leak), and
                    // use a token that differs from the failed attempt's.
                    List<String> failedIds = existing.stream().filter(CopyStep::failed).map(Image::imageId).sorted().toList();
                    Uni<Void> cleared = Uni.createFrom().voidItem();
                    for (String id : failedIds) {
                        cleared = cleared.chain(() -> Uni.createFrom().completionStage(() -> ec2.deregisterImage(b -> b.imageId(id).deleteAssociatedSnapshots(true)))
                                .onFailure(AwsErrors::isNotFound).recoverWithNull().replaceWithVoid());
                    }
                    List<String> tokenParts = new ArrayList<>(List.of(permit.imageKey(), permit.variant(), region,
                            source.imageId()));
                    tokenParts.addAll(failedIds);
                    CopyImageRequest request = request(source, sourceRegion, tags, kmsKeyId,
                            ClientTokens.of(tokenParts.toArray(String[]::new)));
                    return cleared.chain(() -> Uni.createFrom().completionStage(() -> ec2.copyImage(request)))
                            .map(r -> new Copy(r.imageId(), true))
                            .onFailure().transform(t -> RegionFailure.of(Phase.COPY, "CopyImage of " + source.imageId(), region, t));
                });
    }

    static CopyImageRequest request(Image source, String sourceRegion, Map<String, String> tags,
            Optional<String> kmsKeyId, String token) {
        CopyImageRequest.Builder b = CopyImageRequest.builder()
                .sourceRegion(sourceRegion)
                .sourceImageId(source.imageId())
                .name(source.name())
                .description(source.description() != null ? source.description() : "Copy of " + source.imageId() + " from " + sourceRegion)
                .clientToken(token)
                .tagSpecifications(source.rootDeviceType() == DeviceType.INSTANCE_STORE
                        // an instance-store AMI's copy is a bundle EC2 writes into its own S3 bucket: no snapshot
                        ? List.of(TagSpecification.builder().resourceType(ResourceType.IMAGE).tags(Ec2Tags.ec2(tags)).build())
                        : List.of(TagSpecification.builder().resourceType(ResourceType.IMAGE).tags(Ec2Tags.ec2(tags)).build(),
                                TagSpecification.builder().resourceType(ResourceType.SNAPSHOT)
                                        .tags(Ec2Tags.ec2(snapshotTags(tags))).build()));
        kmsKeyId.ifPresent(k -> b.encrypted(true).kmsKeyId(k));
        return b.build();
    }

    static Map<String, String> snapshotTags(Map<String, String> imageTags) {
        Map<String, String> t = new java.util.LinkedHashMap<>(imageTags);
        t.put(AwsTags.PURPOSE, "snapshot");
        return t;
    }

    private static Uni<List<Image>> findByName(Ec2AsyncClient ec2, String name) {
        return Uni.createFrom().completionStage(() -> ec2.describeImages(b -> b.owners("self").filters(Ec2Tags.filter("name", name))))
                .map(r -> r.images().stream().filter(i -> name.equals(i.name()))
                        .sorted(Comparator.comparing(Image::imageId)).toList());
    }

    private static boolean failed(Image i) {
        return i.state() == ImageState.FAILED || i.state() == ImageState.ERROR || i.state() == ImageState.INVALID
                || i.state() == ImageState.DEREGISTERED;
    }
}
