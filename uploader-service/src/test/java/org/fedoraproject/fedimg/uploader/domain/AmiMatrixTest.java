package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.junit.jupiter.api.Test;

class AmiMatrixTest {

    @Test
    void defaultMatrixIsHvmOnGp3AndStandard() {
        AmiMatrix m = new AmiMatrix(List.of("hvm"), List.of("gp3", "standard"), Map.of(), Optional.empty());
        assertThat(m.variants("us-east-1", "x86_64")).containsExactly(
                new AmiVariant("hvm", "gp3", false), new AmiVariant("hvm", "standard", false));
    }

    @Test
    void kmsKeyAddsEncryptedTwins() {
        AmiMatrix m = new AmiMatrix(List.of("hvm"), List.of("gp3", "standard"), Map.of(), Optional.of("alias/fedimg"));
        assertThat(m.variants("us-east-1", "aarch64")).extracting(AmiVariant::slug)
                .containsExactly("hvm-gp3", "hvm-gp3-encrypted", "hvm-standard", "hvm-standard-encrypted");
    }

    @Test
    void paravirtualNeedsAKernelIdForTheRegion() {
        AmiMatrix m = new AmiMatrix(List.of("hvm", "paravirtual"), List.of("standard"),
                Map.of("us-west-2", "aki-fc8f11cc"), Optional.empty());
        assertThat(m.variants("us-west-2", "x86_64")).extracting(AmiVariant::slug)
                .containsExactly("hvm-standard", "paravirtual-standard");
        assertThat(m.kernelId("us-west-2", new AmiVariant("paravirtual", "standard", false))).contains("aki-fc8f11cc");
        assertThat(m.kernelId("us-west-2", new AmiVariant("hvm", "standard", false))).isEmpty();
        assertThatThrownBy(() -> m.variants("us-east-1", "x86_64"))
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CONFIGURATION_ERROR))
                .hasMessageContaining("paravirtual-kernel-ids.us-east-1");
        assertThatThrownBy(() -> m.variants("us-west-2", "aarch64")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("only for x86_64");
    }

    @Test
    void unknownOrEmptyConfigurationIsAnError() {
        assertThatThrownBy(() -> new AmiMatrix(List.of("pv"), List.of("gp3"), Map.of(), Optional.empty())
                .variants("us-east-1", "x86_64")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> new AmiMatrix(List.of("hvm"), List.of(), Map.of(), Optional.empty())
                .variants("us-east-1", "x86_64")).isInstanceOf(BadInputException.class);
    }

    @Test
    void instanceStoreAddsOneBundleVariantPerVirtualizationTypeAfterTheEbsOnes() {
        AmiMatrix m = new AmiMatrix(List.of("hvm", "paravirtual"), List.of("gp3"), Map.of("us-east-1", "aki-919dcaf8"),
                Optional.of("alias/fedimg"), List.of("ebs", "instance-store"));
        assertThat(m.variants("us-east-1", "x86_64")).containsExactly(
                new AmiVariant("hvm", "gp3", false), new AmiVariant("hvm", "gp3", true),
                new AmiVariant("paravirtual", "gp3", false), new AmiVariant("paravirtual", "gp3", true),
                AmiVariant.instanceStore("hvm"), AmiVariant.instanceStore("paravirtual"));
    }

    @Test
    void instanceStoreAloneNeedsNoVolumeTypeAndSkipsArm64() {
        AmiMatrix m = new AmiMatrix(List.of("hvm"), List.of(), Map.of(), Optional.empty(), List.of("instance-store"));
        assertThat(m.variants("us-east-1", "x86_64")).containsExactly(AmiVariant.instanceStore("hvm"));
        assertThatThrownBy(() -> m.variants("us-east-1", "aarch64")).isInstanceOf(BadInputException.class)
                .hasMessageContaining("only for x86_64");
        AmiMatrix both = new AmiMatrix(List.of("hvm"), List.of("gp3"), Map.of(), Optional.empty(),
                List.of("ebs", "instance-store"));
        assertThat(both.variants("us-east-1", "aarch64")).containsExactly(new AmiVariant("hvm", "gp3", false));
    }

    @Test
    void unknownStorageTypesAndInstanceStoreAsVolumeTypeAreConfigurationErrors() {
        assertThatThrownBy(() -> new AmiMatrix(List.of("hvm"), List.of("gp3"), Map.of(), Optional.empty(),
                List.of("s3")).variants("us-east-1", "x86_64"))
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CONFIGURATION_ERROR));
        assertThatThrownBy(() -> new AmiMatrix(List.of("hvm"), List.of("instance-store"), Map.of(), Optional.empty())
                .variants("us-east-1", "x86_64")).isInstanceOf(BadInputException.class);
    }
}
