package org.fedoraproject.fedimg.uploader.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * The AMI types registered for one image, after the original fedimg table: for EBS, virtualization type ×
 * volume type × (unencrypted, plus encrypted when a KMS key is configured), all from one snapshot; for
 * instance-store (issue 22, off by default), one AMI per virtualization type, all from one S3 bundle. Pure;
 * the config is passed in.
 */
public record AmiMatrix(List<String> virtualizationTypes, List<String> volumeTypes,
        Map<String, String> paravirtualKernelIds, Optional<String> kmsKeyId, List<String> storageTypes) {

    public static final String HVM = "hvm";
    public static final String PARAVIRTUAL = "paravirtual";

    /** EBS only, as before storage types existed. */
    public AmiMatrix(List<String> virtualizationTypes, List<String> volumeTypes,
            Map<String, String> paravirtualKernelIds, Optional<String> kmsKeyId) {
        this(virtualizationTypes, volumeTypes, paravirtualKernelIds, kmsKeyId, List.of(AmiVariant.EBS));
    }

    /**
     * The variants for an image of this arch in this region, or a CONFIGURATION_ERROR saying what is wrong. EBS
     * variants come first, each unencrypted one before its encrypted twin.
     */
    public List<AmiVariant> variants(String region, String arch) {
        boolean ebs = false;
        boolean instanceStore = false;
        for (String s : storageTypes) {
            String st = s.trim().toLowerCase();
            if (AmiVariant.EBS.equals(st)) {
                ebs = true;
            } else if (AmiVariant.INSTANCE_STORE.equals(st)) {
                instanceStore = true;
            } else {
                throw configError("unknown storage type '" + s + "' in fedimg.uploader.registration.storage-types "
                        + "(ebs or instance-store)");
            }
        }
        if (virtualizationTypes.isEmpty() || (!ebs && !instanceStore) || (ebs && volumeTypes.isEmpty())) {
            throw configError("the AMI matrix is empty: set fedimg.uploader.registration.virtualization-types, "
                    + "storage-types and volume-types");
        }
        List<String> virts = new ArrayList<>();
        for (String virt : virtualizationTypes) {
            String v = virt.trim().toLowerCase();
            if (PARAVIRTUAL.equals(v)) {
                if (!paravirtualKernelIds.containsKey(region)) {
                    throw configError("paravirtual AMIs need a kernel id for region " + region
                            + " (fedimg.uploader.registration.paravirtual-kernel-ids." + region + ")");
                }
                if (!"x86_64".equals(arch)) {
                    throw configError("paravirtual AMIs exist only for x86_64, not " + arch);
                }
            } else if (!HVM.equals(v)) {
                throw configError("unknown virtualization type '" + virt + "' (hvm or paravirtual)");
            }
            virts.add(v);
        }
        List<AmiVariant> out = new ArrayList<>();
        if (ebs) {
            for (String v : virts) {
                for (String vol : volumeTypes) {
                    String volume = vol.trim().toLowerCase();
                    if (volume.isEmpty() || AmiVariant.INSTANCE_STORE.equals(volume)) {
                        throw configError("invalid volume type '" + vol + "' in fedimg.uploader.registration.volume-types "
                                + "(instance-store is a storage type)");
                    }
                    out.add(new AmiVariant(v, volume, false));
                    if (kmsKeyId.isPresent()) {
                        out.add(new AmiVariant(v, volume, true));
                    }
                }
            }
        }
        // only Xen instance types have the instance store an instance-store root needs, and none of them runs
        // arm64: an aarch64 image gets its EBS variants only (no error: the x86_64 image of the compose gets both)
        if (instanceStore && "x86_64".equals(arch)) {
            virts.forEach(v -> out.add(AmiVariant.instanceStore(v)));
        }
        if (out.isEmpty()) {
            throw configError("no AMI variant for " + arch + ": instance-store AMIs exist only for x86_64; add ebs to "
                    + "fedimg.uploader.registration.storage-types");
        }
        return List.copyOf(out);
    }

    public Optional<String> kernelId(String region, AmiVariant variant) {
        return PARAVIRTUAL.equals(variant.virtualizationType())
                ? Optional.ofNullable(paravirtualKernelIds.get(region)) : Optional.empty();
    }

    private static BadInputException configError(String message) {
        return new BadInputException(DeadLetterReason.CONFIGURATION_ERROR, message);
    }
}
