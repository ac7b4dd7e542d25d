package org.fedoraproject.fedimg.uploader.domain;

import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * What RegisterImage gets for one variant, decided from the image's arch and the variant: EC2
 * architecture, boot mode (uefi-preferred on x86_64, uefi on arm64), ENA, SR-IOV, IMDSv2, TPM.
 * Paravirtual AMIs boot through a kernel image and support none of ENA, SR-IOV, UEFI or TPM.
 */
public record RegistrationSpec(
        String name,
        String description,
        String architecture,
        String virtualizationType,
        String rootDeviceName,
        String volumeType,
        int volumeSizeGib,
        boolean encrypted,
        Optional<String> kmsKeyId,
        Optional<String> kernelId,
        Optional<String> bootMode,
        boolean enaSupport,
        Optional<String> sriovNetSupport,
        String imdsSupport,
        Optional<String> tpmSupport,
        List<String> shareWithAccounts) {

    public record Options(String rootDeviceName, boolean ena, boolean sriov, boolean tpm,
            Optional<String> kmsKeyId, List<String> shareWithAccounts) {
    }

    public static RegistrationSpec of(ImageSpec image, AmiVariant variant, String amiName, int volumeSizeGib,
            Optional<String> kernelId, Options options) {
        String arch = image.ec2Architecture();
        boolean hvm = AmiMatrix.HVM.equals(variant.virtualizationType());
        Optional<String> bootMode = hvm ? Optional.of("arm64".equals(arch) ? "uefi" : "uefi-preferred") : Optional.empty();
        return new RegistrationSpec(
                amiName,
                "Fedora " + image.release() + " " + image.subvariant() + " " + arch + " (" + variant.slug() + ") from "
                        + image.fileName(),
                arch,
                variant.virtualizationType(),
                options.rootDeviceName(),
                variant.volumeType(),
                volumeSizeGib,
                variant.encrypted(),
                variant.encrypted() ? options.kmsKeyId() : Optional.empty(),
                hvm ? Optional.empty() : kernelId,
                bootMode,
                hvm && options.ena(),
                hvm && options.sriov() ? Optional.of("simple") : Optional.empty(),
                "v2.0",
                hvm && options.tpm() ? Optional.of("v2.0") : Optional.empty(),
                variant.encrypted() ? List.copyOf(options.shareWithAccounts()) : List.of());
    }
}
