package org.fedoraproject.fedimg.uploader.job;

import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.bundle.BundlePlan;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.bundle.MachineConfiguration;
import org.fedoraproject.fedimg.bundle.ManifestWriter;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.uploader.aws.BundleBucket;
import org.fedoraproject.fedimg.uploader.aws.BundleManifests;
import org.fedoraproject.fedimg.uploader.aws.BundlePartUploads;
import org.fedoraproject.fedimg.uploader.aws.BundlePlans;
import org.fedoraproject.fedimg.uploader.aws.EbsDirectEngine;
import org.fedoraproject.fedimg.uploader.aws.ImageRegistrar;
import org.fedoraproject.fedimg.uploader.aws.VerifiedSnapshotTags;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.AmiMatrix;
import org.fedoraproject.fedimg.uploader.domain.RegistrationSpec;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

/**
 * The instance-store variants of one image (issue 22), in the base region:
 * <ol>
 * <li>each AMI is looked up by its deterministic name; when all exist, nothing else is done;</li>
 * <li>the region's bundle bucket is ensured (created with ACLs enabled, tagged);</li>
 * <li>unless every variant's manifest is already stored (a manifest is written only for a complete, verified
 * bundle): the stored or a new plan; then download → xz → tar → gzip → AES-128-CBC → parts → PutObject, in one
 * pass with at most {@code parts-in-flight} parts in memory; the download's size and SHA-256 are verified
 * before anything refers to the parts; then one signed manifest per variant (the parts are shared: HVM and
 * paravirtual differ only in the machine configuration);</li>
 * <li>RegisterImage with each manifest's location, tags, wait for {@code available}.</li>
 * </ol>
 */
final class InstanceStoreBundles {

    private static final Logger LOG = Logger.getLogger(InstanceStoreBundles.class);
    /** AWS: an instance store root device holds at most 10 GiB. */
    static final long MAX_IMAGE_BYTES = 10L << 30;
    static final String PURPOSE_BUCKET = "bundle-bucket";
    static final String PURPOSE_BUNDLE = "bundle";
    /** The AMI tools' default mapping of the root partition (ec2-bundle-image's {@code ami=sda1,root=/dev/sda1}). */
    private static final Map<String, String> BLOCK_DEVICES = Map.of("ami", "sda1", "root", "/dev/sda1");

    private final UploaderConfig config;
    private final AwsClients aws;
    private final AmiMatrix matrix;
    private final ImageSnapshots images;
    private final ImageRegistrar registrar;
    private final Executor blockingIo;
    private final Clock clock;
    private final BundleBucket buckets;
    private final BundleManifests manifests;
    private BundleSettings settings;

    InstanceStoreBundles(UploaderConfig config, AwsClients aws, AmiMatrix matrix, ImageSnapshots images,
            ImageRegistrar registrar, Executor blockingIo, Clock clock) {
        this.config = config;
        this.aws = aws;
        this.matrix = matrix;
        this.images = images;
        this.registrar = registrar;
        this.blockingIo = blockingIo;
        this.clock = clock;
        this.buckets = new BundleBucket(aws);
        this.manifests = new BundleManifests(aws);
    }

    Uni<List<AmiRef>> registerAll(String region, ImageReady in, List<AmiVariant> variants, UploadProgress progress) {
        if (variants.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.createFrom().item(this::settings).chain(s -> allRegistered(region, in, variants).chain(done -> {
            if (done) {
                return register(region, in, variants, s);
            }
            String bucket = BundleNames.bucket(config.instanceStore().bucketPrefix(), s.accountId(), region);
            Map<String, String> bucketTags = Map.of(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE,
                    AwsTags.PURPOSE, PURPOSE_BUCKET);
            return buckets.ensure(region, bucket, bucketTags)
                    .chain(() -> allManifestsStored(region, bucket, in.image(), variants))
                    .chain(stored -> stored ? Uni.createFrom().voidItem() : bundle(region, bucket, in, variants, s, progress))
                    .chain(() -> register(region, in, variants, s));
        }));
    }

    /**
     * Fails with a CONFIGURATION_ERROR when the instance-store settings are missing or unreadable: checked before
     * anything is touched, so that an image is not half uploaded (its EBS AMIs registered) and then refused.
     */
    void requireConfigured(List<AmiVariant> variants) {
        if (variants.stream().anyMatch(AmiVariant::instanceStore)) {
            settings();
        }
    }

    private synchronized BundleSettings settings() {
        if (settings == null) {
            settings = BundleSettings.load(config.instanceStore());
        }
        return settings;
    }

    private Uni<Boolean> allRegistered(String region, ImageReady in, List<AmiVariant> variants) {
        return Multi.createFrom().iterable(variants)
                .onItem().transformToUniAndConcatenate(v -> registrar.findByName(region, AmiNames.ami(in.image(), v))
                        .map(found -> found.stream().anyMatch(i -> i.state() == ImageState.AVAILABLE
                                || i.state() == ImageState.PENDING)))
                .collect().asList().map(l -> l.stream().allMatch(b -> b));
    }

    private Uni<Boolean> allManifestsStored(String region, String bucket, ImageSpec image, List<AmiVariant> variants) {
        return Multi.createFrom().iterable(variants)
                .onItem().transformToUniAndConcatenate(v -> manifests.exists(region, bucket, BundleNames.manifest(image, v)))
                .collect().asList().map(l -> l.stream().allMatch(b -> b));
    }

    private Uni<Void> bundle(String region, String bucket, ImageReady in, List<AmiVariant> variants, BundleSettings s,
            UploadProgress progress) {
        ImageSpec image = in.image();
        Map<String, String> tags = AwsTags.forImage(in.imageKey(), in.composeId(), image, PURPOSE_BUNDLE);
        UploaderConfig.InstanceStore c = config.instanceStore();
        return images.uncompressedSize(image).chain(size -> {
            if (size.isEmpty()) {
                return Uni.createFrom().failure(new BadInputException(DeadLetterReason.NOT_XZ, "the size of "
                        + image.fileName() + " could not be read from its xz index (Range requests); an instance-store "
                        + "bundle needs it before the first byte (its tar header)"));
            }
            if (size.getAsLong() > MAX_IMAGE_BYTES) {
                return Uni.createFrom().failure(new BadInputException(DeadLetterReason.CONFIGURATION_ERROR,
                        image.fileName() + " holds " + size.getAsLong() + " bytes; an instance-store AMI's root device "
                                + "holds at most 10 GiB: switch instance-store off for it"));
            }
            BundleSpec spec = new BundleSpec(BundleNames.bundle(image), size.getAsLong(), clock.instant().getEpochSecond(),
                    c.partSize(), c.gzipLevel());
            return new BundlePlans(aws, s.user()).ensure(region, bucket, BundleNames.plan(image), spec,
                    "sha256:" + image.sha256(), tags);
        }).chain(plan -> write(region, bucket, in, plan, tags, progress))
                .chain(bundled -> Multi.createFrom().iterable(variants)
                        .onItem().transformToUniAndConcatenate(v -> manifests.put(region, bucket,
                                BundleNames.manifest(image, v), manifest(region, v, bundled, s), tags))
                        .collect().last().replaceWithVoid());
    }

    /** The blocking pass over the download, on a worker thread; the parts' uploads are the SDK's. */
    private Uni<BundleWritten> write(String region, String bucket, ImageReady in, BundlePlan plan,
            Map<String, String> tags, UploadProgress progress) {
        ImageSpec image = in.image();
        return Uni.createFrom().item(() -> {
            BundlePartUploads sink = new BundlePartUploads(aws, region, bucket,
                    p -> BundleNames.part(image, p.fileName()), tags);
            EbsDirectEngine.Source source = images.source(image, progress);
            try (InputStream raw = source.image()) {
                BundledImage bundled = plan.writer(config.instanceStore().partsInFlight()).write(raw, sink);
                // nothing refers to the parts until the whole download matched the compose's size and SHA-256
                source.verifyComplete();
                LOG.infof("bundled %s: %d parts (%d uploaded, %d already in S3) in s3://%s/%s", in.imageKey(),
                        bundled.parts().size(), sink.uploaded(), sink.skipped(), bucket, BundleNames.folder(image));
                return new BundleWritten(bundled, plan);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).runSubscriptionOn(blockingIo);
    }

    private record BundleWritten(BundledImage image, BundlePlan plan) {
    }

    private String manifest(String region, AmiVariant variant, BundleWritten bundled, BundleSettings s) {
        MachineConfiguration machine = matrix.kernelId(region, variant)
                .map(kernel -> MachineConfiguration.paravirtual("x86_64", kernel, BLOCK_DEVICES))
                .orElseGet(() -> MachineConfiguration.hvm("x86_64", BLOCK_DEVICES));
        return new ManifestWriter(s.ec2Certificate(), s.user()).write(s.accountId(), machine, bundled.image(),
                bundled.plan().keys());
    }

    private Uni<List<AmiRef>> register(String region, ImageReady in, List<AmiVariant> variants, BundleSettings s) {
        String bucket = BundleNames.bucket(config.instanceStore().bucketPrefix(), s.accountId(), region);
        UploaderConfig.Registration reg = config.registration();
        RegistrationSpec.Options options = new RegistrationSpec.Options(reg.rootDeviceName(), false, false, false,
                java.util.Optional.empty(), List.of());
        return Multi.createFrom().iterable(variants).onItem().transformToUniAndConcatenate(variant -> {
            String name = AmiNames.ami(in.image(), variant);
            RegistrationSpec spec = RegistrationSpec.of(in.image(), variant, name, 0, matrix.kernelId(region, variant),
                    options);
            Map<String, String> tags = AwsTags.forAmi(in.imageKey(), in.composeId(), in.image(), variant, "image");
            tags.put(AwsTags.NAME, name);
            tags.put(VerifiedSnapshotTags.VERIFIED, "true");
            String location = bucket + "/" + BundleNames.manifest(in.image(), variant);
            Uni<Image> image = registrar.ensureFromBundle(region, spec, location, tags);
            return image.map(i -> new AmiRef(region, i.imageId(), name, null, in.image().ec2Architecture(), variant,
                    null, List.of(), true));
        }).collect().asList();
    }
}
