package org.fedoraproject.fedimg.uploader.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * The AMI types registered from one snapshot, after the original fedimg table: virtualization type ×
 * volume type × (unencrypted, plus encrypted when a KMS key is configured). Pure; the config is passed in.
 */
public record AmiMatrix(List<String> virtualizationTypes, List<String> volumeTypes,
        Map<String, String> paravirtualKernelIds, Optional<String> kmsKeyId) {

    public static final String HVM = "hvm";
    public static final String PARAVIRTUAL = "paravirtual";

    /** The variants for an image of this arch in this region, or a CONFIGURATION_ERROR saying what is wrong. */
    public List<AmiVariant> variants(String region, String arch) {
        if (virtualizationTypes.isEmpty() || volumeTypes.isEmpty()) {
            throw configError("the AMI matrix is empty: set fedimg.uploader.registration.virtualization-types "
                    + "and volume-types");
        }
        List<AmiVariant> out = new ArrayList<>();
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
            for (String vol : volumeTypes) {
                String volume = vol.trim().toLowerCase();
                if (volume.isEmpty()) {
                    throw configError("empty volume type in fedimg.uploader.registration.volume-types");
                }
                out.add(new AmiVariant(v, volume, false));
                if (kmsKeyId.isPresent()) {
                    out.add(new AmiVariant(v, volume, true));
                }
            }
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
