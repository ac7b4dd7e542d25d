package org.fedoraproject.fedimg.uploader.job;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
 * Step 4 of an upload: one AMI per variant of the matrix, all side by side. Unencrypted variants are registered from
 * the verified snapshot; each encrypted variant is an encrypted CopyImage of its unencrypted twin (same
 * virtualization and volume type), started as soon as that twin is available. Every AMI is found by its
 * deterministic name before anything is created. The AMIs are listed in the matrix's order.
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
        for (AmiVariant v : variants) {
            if (v.encrypted() && !variants.contains(twin(v, false))) {
                return Uni.createFrom().failure(new IllegalStateException(
                        "the matrix lists " + v.slug() + " without its unencrypted twin"));
            }
        }
        // Each unencrypted variant, then its encrypted twin, side by side with the other variants: one after the
        // other, every variant waited for the previous one's "available" (30 s to minutes each on AWS), and the
        // image's first test for all of them.
        return Multi.createFrom().iterable(variants.stream().filter(v -> !v.encrypted()).toList())
                .onItem().transformToUniAndMerge(plain -> register(region, in, plain, snapshot, options, null)
                        .chain(ref -> variants.contains(twin(plain, true))
                                ? register(region, in, twin(plain, true), snapshot, options, ref.amiId())
                                        .map(twin -> List.of(ref, twin))
                                : Uni.createFrom().item(List.of(ref))))
                .collect().asList()
                .map(pairs -> pairs.stream().flatMap(List::stream)
                        .sorted(Comparator.comparingInt(ref -> variants.indexOf(ref.variant()))).toList());
    }

    /** One AMI: registered from the snapshot, or (an encrypted variant) an encrypted CopyImage of {@code plainId}. */
    private Uni<AmiRef> register(String region, ImageReady in, AmiVariant variant, ImageSnapshots.Result snapshot,
            RegistrationSpec.Options options, String plainId) {
        UploaderConfig.Registration reg = config.registration();
        String name = AmiNames.ami(in.image(), variant, reg.amiNameTemplate());
        RegistrationSpec spec = RegistrationSpec.of(in.image(), variant, name, snapshot.volumeSizeGib(),
                matrix.kernelId(region, variant), options);
        Map<String, String> tags = AwsTags.forAmi(in.imageKey(), in.composeId(), in.image(), variant, "image");
        tags.put(AwsTags.NAME, name);
        tags.put(VerifiedSnapshotTags.VERIFIED, "true");
        Uni<Image> image;
        if (!variant.encrypted()) {
            image = registrar.ensure(region, spec, snapshot.snapshotId(), tags);
        } else {
            Map<String, String> snapTags = AwsTags.forAmi(in.imageKey(), in.composeId(), in.image(), variant,
                    SnapshotLookup.PURPOSE_ENCRYPTED);
            snapTags.put(AwsTags.NAME, name);
            snapTags.put(VerifiedSnapshotTags.VERIFIED, "true");
            image = registrar.ensureEncryptedCopy(region, name, spec.description(), plainId,
                    spec.kmsKeyId().orElseThrow(), ClientTokens.of(in.imageKey(),
                            String.valueOf(in.image().respin()), "encrypted-copy", variant.slug(), region),
                    tags, snapTags);
        }
        return image.map(i -> new AmiRef(region, i.imageId(), name, rootSnapshot(i, spec),
                in.image().ec2Architecture(), variant, spec.kmsKeyId().orElse(null),
                spec.shareWithAccounts(), true));
    }

    /** The variant's twin: the same virtualization and volume type, encrypted or not. */
    private static AmiVariant twin(AmiVariant v, boolean encrypted) {
        return new AmiVariant(v.virtualizationType(), v.volumeType(), encrypted);
    }

    private static String rootSnapshot(Image image, RegistrationSpec spec) {
        return image.blockDeviceMappings().stream()
                .filter(m -> spec.rootDeviceName().equals(m.deviceName()) && m.ebs() != null)
                .map(m -> m.ebs().snapshotId()).findFirst().orElse(null);
    }
}
