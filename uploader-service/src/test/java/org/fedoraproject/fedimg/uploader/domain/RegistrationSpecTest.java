package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.junit.jupiter.api.Test;

class RegistrationSpecTest {

    static ImageSpec image(String arch) {
        return new ImageSpec("https://kojipkgs.fedoraproject.org/x.raw.xz", "Fedora-Cloud-Base-AmazonEC2-41-1.4." + arch
                + ".raw.xz", "Fedora-Cloud-Base-AmazonEC2-41-1.4." + arch, "0".repeat(64), 100, arch, "41",
                "production", "Cloud", "Cloud_Base", 0);
    }

    private static final RegistrationSpec.Options OPTIONS = new RegistrationSpec.Options("/dev/sda1", true, true, true,
            Optional.of("arn:aws:kms:us-east-1:123:key/k"), List.of("123456789012"));

    @Test
    void x86HvmIsUefiPreferredWithEnaSriovImdsV2AndTpm() {
        RegistrationSpec s = RegistrationSpec.of(image("x86_64"), new AmiVariant("hvm", "gp3", false), "n", 5,
                Optional.empty(), OPTIONS);
        assertThat(s.architecture()).isEqualTo("x86_64");
        assertThat(s.bootMode()).contains("uefi-preferred");
        assertThat(s.enaSupport()).isTrue();
        assertThat(s.sriovNetSupport()).contains("simple");
        assertThat(s.imdsSupport()).isEqualTo("v2.0");
        assertThat(s.tpmSupport()).contains("v2.0");
        assertThat(s.kmsKeyId()).isEmpty();
        assertThat(s.shareWithAccounts()).isEmpty();
        assertThat(s.rootDeviceName()).isEqualTo("/dev/sda1");
        assertThat(s.volumeSizeGib()).isEqualTo(5);
    }

    @Test
    void aarch64IsArm64Uefi() {
        RegistrationSpec s = RegistrationSpec.of(image("aarch64"), new AmiVariant("hvm", "standard", false), "n", 5,
                Optional.empty(), OPTIONS);
        assertThat(s.architecture()).isEqualTo("arm64");
        assertThat(s.bootMode()).contains("uefi");
        assertThat(s.volumeType()).isEqualTo("standard");
    }

    @Test
    void encryptedVariantCarriesKeyAndShareList() {
        RegistrationSpec s = RegistrationSpec.of(image("x86_64"), new AmiVariant("hvm", "gp3", true), "n", 5,
                Optional.empty(), OPTIONS);
        assertThat(s.encrypted()).isTrue();
        assertThat(s.kmsKeyId()).contains("arn:aws:kms:us-east-1:123:key/k");
        assertThat(s.shareWithAccounts()).containsExactly("123456789012");
    }

    @Test
    void paravirtualBootsAKernelWithoutEnaSriovUefiOrTpm() {
        RegistrationSpec s = RegistrationSpec.of(image("x86_64"), new AmiVariant("paravirtual", "standard", false), "n",
                5, Optional.of("aki-1"), OPTIONS);
        assertThat(s.kernelId()).contains("aki-1");
        assertThat(s.bootMode()).isEmpty();
        assertThat(s.enaSupport()).isFalse();
        assertThat(s.sriovNetSupport()).isEmpty();
        assertThat(s.tpmSupport()).isEmpty();
        assertThat(s.imdsSupport()).isEqualTo("v2.0");
    }
}
