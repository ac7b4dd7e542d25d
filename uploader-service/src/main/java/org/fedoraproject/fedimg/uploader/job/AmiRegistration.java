package org.fedoraproject.fedimg.uploader.job;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.ClientTokens;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.uploader.aws.ImageRegistrar;
import org.fedoraproject.fedimg.uploader.aws.SnapshotLookup;
import org.fedoraproject.fedimg.uploader.aws.VerifiedSnapshotTags;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.AmiMatrix;
import org.fedoraproject.fedimg.uploader.domain.RegistrationSpec;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Step 4 of an upload: one AMI per variant of the matrix. Unencrypted variants are registered from the verified
 * snapshot; each encrypted variant is an encrypted CopyImage of its unencrypted twin (same virtualization
 * and volume type), which the matrix always lists first. Every AMI is found by its deterministic name
 * before anything is created.
 */
final class AmiRegistration {

    private final UploaderConfig config;
    private final AmiMatrix matrix;
    private final ImageRegistrar registrar;

    AmiRegistration(UploaderConfig config, AmiMatrix matrix, ImageRegistrar registrar) {
        this.config = config;
        this.matrix = matrix;
        this.registrar = registrar;
    }

    Uni<List<AmiRef>> registerAll(String region, ImageReady in, List<AmiVariant> variants,
            ImageSnapshots.Result snapshot) {
        UploaderConfig.Registration reg = config.registration();
        List<String> share = reg.encryption().shareWithAccounts().orElse(List.of());
        RegistrationSpec.Options options = new RegistrationSpec.Options(reg.rootDeviceName(), reg.enaSupport(),
                reg.sriovNetSupport(), reg.tpmSupport(), reg.encryption().kmsKeyId(), share);
        Map<AmiVariant, String> plainIds = new ConcurrentHashMap<>();
        return Multi.createFrom().iterable(variants)
                .onItem().transformToUniAndConcatenate(variant -> {
                    String name = AmiNames.ami(in.image(), variant, reg.amiNameTemplate());
                    RegistrationSpec spec = RegistrationSpec.of(in.image(), variant, name, snapshot.volumeSizeGib(),
                            matrix.kernelId(region, variant), options);
                    Map<String, String> tags = AwsTags.forAmi(in.imageKey(), in.composeId(), in.image(), variant, "image");
                    tags.put(AwsTags.NAME, name);
                    tags.put(VerifiedSnapshotTags.VERIFIED, "true");
                    Uni<Image> image;
                    if (!variant.encrypted()) {
                        image = registrar.ensure(region, spec, snapshot.snapshotId(), tags)
                                .invoke(i -> plainIds.put(variant, i.imageId()));
                    } else {
                        AmiVariant twin = new AmiVariant(variant.virtualizationType(), variant.volumeType(), false);
                        String source = plainIds.get(twin);
                        if (source == null) {
                            return Uni.createFrom().failure(new IllegalStateException(
                                    "the matrix lists " + variant.slug() + " without its unencrypted twin"));
                        }
                        Map<String, String> snapTags = AwsTags.forAmi(in.imageKey(), in.composeId(), in.image(), variant,
                                SnapshotLookup.PURPOSE_ENCRYPTED);
                        snapTags.put(AwsTags.NAME, name);
                        snapTags.put(VerifiedSnapshotTags.VERIFIED, "true");
                        image = registrar.ensureEncryptedCopy(region, name, spec.description(), source,
                                spec.kmsKeyId().orElseThrow(), ClientTokens.of(in.imageKey(),
                                        String.valueOf(in.image().respin()), "encrypted-copy", variant.slug(), region),
                                tags, snapTags);
                    }
                    return image.map(i -> new AmiRef(region, i.imageId(), name, rootSnapshot(i, spec),
                            in.image().ec2Architecture(), variant, spec.kmsKeyId().orElse(null),
                            spec.shareWithAccounts(), true));
                })
                .collect().asList();
    }

    private static String rootSnapshot(Image image, RegistrationSpec spec) {
        return image.blockDeviceMappings().stream()
                .filter(m -> spec.rootDeviceName().equals(m.deviceName()) && m.ebs() != null)
                .map(m -> m.ebs().snapshotId()).findFirst().orElse(null);
    }
}
