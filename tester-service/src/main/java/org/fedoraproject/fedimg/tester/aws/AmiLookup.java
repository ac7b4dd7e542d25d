package org.fedoraproject.fedimg.tester.aws;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.AmiFacts;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Reads AMIs from EC2: the one under test (retrying only "not visible yet" right after RegisterImage)
 * and its siblings, found by the tags the uploader put on every AMI of an image.
 */
@ApplicationScoped
public class AmiLookup {

    private final AwsClients aws;
    private final TesterConfig config;

    AmiLookup(AwsClients aws, TesterConfig config) {
        this.aws = aws;
        this.config = config;
    }

    public Uni<AmiFacts> require(String region, String amiId) {
        Duration visible = config.timeouts().amiVisible();
        return find(region, amiId)
                .onItem().ifNull().failWith(() -> new NotVisibleYet(amiId))
                .onFailure(AmiLookup::notVisible)
                .retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).expireIn(visible.toMillis())
                // when the time is up, Mutiny's "retries exhausted" carries the last "not visible" as its cause
                .onFailure(AmiLookup::notVisible)
                .transform(t -> new BadInputException(DeadLetterReason.IMAGE_NOT_FOUND,
                        "AMI " + amiId + " not found in " + region + " within " + visible));
    }

    /** The AMI, or null when EC2 does not know it. */
    public Uni<AmiFacts> find(String region, String amiId) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeImages(b -> b.filters(Ec2Tags.filter("image-id", amiId))))
                .map(r -> r.images().stream().findFirst().map(AmiLookup::facts).orElse(null));
    }

    /** Every AMI of the same image upload (image key, respin and checksum), in the event's region. */
    public Uni<List<AmiFacts>> siblings(AmiRegistered event) {
        String region = event.ami().region();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeImages(b -> b.filters(
                Ec2Tags.tag(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE),
                Ec2Tags.tag(AwsTags.IMAGE_KEY, event.imageKey()),
                Ec2Tags.tag(AwsTags.RESPIN, String.valueOf(event.image().respin())),
                Ec2Tags.tag(AwsTags.SHA256, event.image().sha256()))))
                .map(r -> r.images().stream().map(AmiLookup::facts).toList());
    }

    static AmiFacts facts(Image image) {
        Optional<BlockDeviceMapping> root = image.blockDeviceMappings().stream()
                .filter(m -> m.ebs() != null)
                .filter(m -> image.rootDeviceName() == null || image.rootDeviceName().equals(m.deviceName()))
                .findFirst()
                .or(() -> image.blockDeviceMappings().stream().filter(m -> m.ebs() != null).findFirst());
        String volumeType = image.rootDeviceType() == DeviceType.INSTANCE_STORE ? AmiFacts.INSTANCE_STORE
                : root.map(m -> m.ebs().volumeTypeAsString()).orElse("unknown");
        boolean encrypted = root.map(m -> Boolean.TRUE.equals(m.ebs().encrypted())).orElse(false);
        return new AmiFacts(image.imageId(), image.architectureAsString(), image.virtualizationTypeAsString(),
                volumeType, encrypted, Ec2Tags.map(image.tags()));
    }

    private static boolean notVisible(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NotVisibleYet) {
                return true;
            }
        }
        return AwsErrors.isNotFound(t);
    }

    static final class NotVisibleYet extends RuntimeException {
        NotVisibleYet(String amiId) {
            super(amiId + " not visible yet", null, false, false);
        }
    }
}
