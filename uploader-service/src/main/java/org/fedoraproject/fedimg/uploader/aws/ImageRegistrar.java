package org.fedoraproject.fedimg.uploader.aws;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.domain.RegistrationSpec;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CopyImageRequest;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeregisterImageRequest;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * Registers one AMI variant from a snapshot, idempotently: the deterministic name is looked up first and an
 * existing AMI is reused (a failed one is deregistered and registered again under the same name). Tags are
 * (re)applied with CreateTags, retrying only the NotFound EC2 answers while a fresh AMI id propagates.
 */
public final class ImageRegistrar {

    private static final Logger LOG = Logger.getLogger(ImageRegistrar.class);

    private final AwsClients aws;
    private final Waits waits;
    private final Duration consistencyWindow;

    public ImageRegistrar(AwsClients aws, Waits waits, Duration consistencyWindow) {
        this.aws = aws;
        this.waits = waits;
        this.consistencyWindow = consistencyWindow;
    }

    public Uni<Image> ensure(String region, RegistrationSpec spec, String snapshotId, Map<String, String> tags) {
        return findByName(region, spec.name()).chain(images -> {
            Image usable = images.stream()
                    .filter(i -> i.state() == ImageState.AVAILABLE || i.state() == ImageState.PENDING)
                    .findFirst().orElse(null);
            // ours if it boots our snapshot (a crash may have left it untagged) or carries our image key
            if (usable != null && !snapshotId.equals(rootSnapshot(usable))
                    && !tags.get(AwsTags.IMAGE_KEY).equals(Ec2Tags.value(usable.tags(), AwsTags.IMAGE_KEY))) {
                return Uni.createFrom().failure(nameTaken(spec.name(), usable, region));
            }
            Uni<String> id;
            if (usable != null) {
                LOG.infof("reusing AMI %s (%s) in %s", usable.imageId(), spec.name(), region);
                id = Uni.createFrom().item(usable.imageId());
            } else {
                id = deregisterBroken(region, images).chain(() -> register(region, spec, snapshotId));
            }
            return id.call(imageId -> tag(region, imageId, tags))
                    .chain(imageId -> waits.imageAvailable(region, imageId));
        });
    }

    /**
     * An instance-store AMI from a bundle's manifest ({@code ImageLocation=bucket/key}, issue 22), found by name
     * first as every AMI: one of ours is one registered from this manifest or carrying our image key.
     * RegisterImage has no client token and no tag specifications for this form, so the name is what makes it
     * idempotent and the tags follow as for EBS AMIs.
     */
    public Uni<Image> ensureFromBundle(String region, RegistrationSpec spec, String imageLocation,
            Map<String, String> tags) {
        return findByName(region, spec.name()).chain(images -> {
            Image usable = images.stream()
                    .filter(i -> i.state() == ImageState.AVAILABLE || i.state() == ImageState.PENDING)
                    .findFirst().orElse(null);
            if (usable != null && !imageLocation.equals(usable.imageLocation())
                    && !tags.get(AwsTags.IMAGE_KEY).equals(Ec2Tags.value(usable.tags(), AwsTags.IMAGE_KEY))) {
                return Uni.createFrom().failure(nameTaken(spec.name(), usable, region));
            }
            Uni<String> id;
            if (usable != null) {
                LOG.infof("reusing instance-store AMI %s (%s) in %s", usable.imageId(), spec.name(), region);
                id = Uni.createFrom().item(usable.imageId());
            } else {
                RegisterImageRequest.Builder req = RegisterImageRequest.builder()
                        .name(spec.name())
                        .description(spec.description())
                        .imageLocation(imageLocation)
                        .architecture(spec.architecture())
                        .virtualizationType(spec.virtualizationType());
                spec.kernelId().ifPresent(req::kernelId);
                RegisterImageRequest request = req.build();
                id = deregisterBroken(region, images)
                        .chain(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).registerImage(request)))
                        .map(r -> r.imageId())
                        .invoke(i -> LOG.infof("RegisterImage %s from %s -> %s in %s", spec.name(), imageLocation, i,
                                region));
            }
            return id.call(imageId -> tag(region, imageId, tags))
                    .chain(imageId -> waits.imageAvailable(region, imageId));
        });
    }

    /**
     * The EBS-encrypted twin of an unencrypted AMI: CopyImage in the same region with {@code Encrypted} and
     * the KMS key (RegisterImage cannot encrypt an unencrypted snapshot). CopyImage has a client token and
     * the name is looked up first, so a re-run finds the copy; image and new snapshot are tagged at creation.
     */
    public Uni<Image> ensureEncryptedCopy(String region, String name, String description, String sourceImageId,
            String kmsKeyId, String clientToken, Map<String, String> imageTags, Map<String, String> snapshotTags) {
        return findByName(region, name).chain(images -> {
            Image usable = images.stream()
                    .filter(i -> i.state() == ImageState.AVAILABLE || i.state() == ImageState.PENDING)
                    .findFirst().orElse(null);
            if (usable != null && !sourceImageId.equals(usable.sourceImageId())
                    && !imageTags.get(AwsTags.IMAGE_KEY).equals(Ec2Tags.value(usable.tags(), AwsTags.IMAGE_KEY))) {
                return Uni.createFrom().failure(nameTaken(name, usable, region));
            }
            Uni<String> id;
            if (usable != null) {
                LOG.infof("reusing encrypted AMI %s (%s) in %s", usable.imageId(), name, region);
                id = Uni.createFrom().item(usable.imageId());
            } else {
                CopyImageRequest req = CopyImageRequest.builder()
                        .sourceRegion(region)
                        .sourceImageId(sourceImageId)
                        .name(name)
                        .description(description)
                        .encrypted(true)
                        .kmsKeyId(kmsKeyId)
                        .clientToken(clientToken)
                        .tagSpecifications(Ec2Tags.spec(ResourceType.IMAGE, imageTags),
                                Ec2Tags.spec(ResourceType.SNAPSHOT, snapshotTags))
                        .build();
                id = deregisterBroken(region, images)
                        .chain(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).copyImage(req)))
                        .map(r -> r.imageId())
                        .invoke(i -> LOG.infof("CopyImage %s -> encrypted %s (%s) in %s", sourceImageId, i, name, region));
            }
            return id.call(imageId -> tag(region, imageId, imageTags))
                    .chain(imageId -> waits.imageAvailable(region, imageId))
                    .call(image -> image.blockDeviceMappings().stream()
                            .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null)
                            .findFirst()
                            .map(m -> tag(region, m.ebs().snapshotId(), snapshotTags))
                            .orElse(Uni.createFrom().voidItem()));
        });
    }

    private static BadInputException nameTaken(String name, Image other, String region) {
        return new BadInputException(DeadLetterReason.INVARIANT_VIOLATION, "the AMI name " + name + " is taken in "
                + region + " by " + other.imageId() + " of another image (" + Ec2Tags.value(other.tags(), AwsTags.IMAGE_KEY)
                + "); a re-upload needs a new respin");
    }

    private static String rootSnapshot(Image image) {
        return image.blockDeviceMappings().stream()
                .filter(m -> m.deviceName().equals(image.rootDeviceName()) && m.ebs() != null)
                .map(m -> m.ebs().snapshotId()).findFirst().orElse(null);
    }

    public Uni<List<Image>> findByName(String region, String name) {
        DescribeImagesRequest req = DescribeImagesRequest.builder().owners("self")
                .filters(Ec2Tags.filter("name", name)).build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeImages(req)).map(r -> r.images());
    }

    private Uni<Void> deregisterBroken(String region, List<Image> images) {
        List<Image> broken = images.stream()
                .filter(i -> i.state() == ImageState.FAILED || i.state() == ImageState.ERROR
                        || i.state() == ImageState.INVALID)
                .toList();
        if (broken.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(broken.stream().map(i -> {
            LOG.warnf("deregistering broken AMI %s (%s) in %s before registering again", i.imageId(), i.stateAsString(),
                    region);
            return Uni.createFrom().completionStage(() -> aws.ec2(region)
                    .deregisterImage(DeregisterImageRequest.builder().imageId(i.imageId()).build())).replaceWithVoid();
        }).toList()).andFailFast().replaceWithVoid();
    }

    private Uni<String> register(String region, RegistrationSpec spec, String snapshotId) {
        EbsBlockDevice.Builder ebs = EbsBlockDevice.builder()
                .snapshotId(snapshotId)
                .volumeType(spec.volumeType())
                .volumeSize(spec.volumeSizeGib())
                .deleteOnTermination(true);
        RegisterImageRequest.Builder req = RegisterImageRequest.builder()
                .name(spec.name())
                .description(spec.description())
                .architecture(spec.architecture())
                .virtualizationType(spec.virtualizationType())
                .rootDeviceName(spec.rootDeviceName())
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName(spec.rootDeviceName()).ebs(ebs.build()).build())
                .imdsSupport(spec.imdsSupport());
        if (spec.enaSupport()) {
            req.enaSupport(true);
        }
        spec.sriovNetSupport().ifPresent(req::sriovNetSupport);
        spec.bootMode().ifPresent(req::bootMode);
        spec.tpmSupport().ifPresent(req::tpmSupport);
        spec.kernelId().ifPresent(req::kernelId);
        RegisterImageRequest request = req.build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).registerImage(request))
                .map(r -> r.imageId())
                .invoke(id -> LOG.infof("RegisterImage %s -> %s in %s", spec.name(), id, region));
    }

    /** CreateTags is idempotent; right after RegisterImage the id may answer InvalidAMIID.NotFound for a while. */
    Uni<Void> tag(String region, String resourceId, Map<String, String> tags) {
        CreateTagsRequest req = CreateTagsRequest.builder().resources(resourceId).tags(Ec2Tags.ec2(tags)).build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).createTags(req))
                .onFailure(AwsErrors::isNotFound).retry()
                .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(8)).withJitter(0.2)
                .expireIn(consistencyWindow.toMillis())
                .replaceWithVoid();
    }
}
