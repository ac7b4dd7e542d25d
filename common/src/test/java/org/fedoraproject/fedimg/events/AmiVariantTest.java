package org.fedoraproject.fedimg.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;

class AmiVariantTest {

    @Test
    void aVariantWithoutStorageTypeIsEbsAsEventsWrittenBeforeIt() {
        AmiVariant old = EventJson.read("{\"virtualizationType\":\"hvm\",\"volumeType\":\"gp3\",\"encrypted\":false}",
                AmiVariant.class);
        assertThat(old).isEqualTo(new AmiVariant("hvm", "gp3", false));
        assertThat(old.storageType()).isEqualTo("ebs");
        assertThat(old.instanceStore()).isFalse();
        assertThat(EventJson.writeString(old)).contains("\"storageType\":\"ebs\"").doesNotContain("instanceStore\":");
    }

    @Test
    void anInstanceStoreVariantRoundTripsAndNamesItsAmi() {
        AmiVariant bundle = AmiVariant.instanceStore("paravirtual");
        assertThat(EventJson.read(EventJson.write(bundle), AmiVariant.class)).isEqualTo(bundle);
        assertThat(bundle.slug()).isEqualTo("paravirtual-instance-store");
        assertThat(AmiNames.ami(ExampleEvents.IMAGE, bundle))
                .isEqualTo("Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-paravirtual-instance-store-0");
    }

    @Test
    void anInstanceStoreVariantHasNoEbsVolumeTypeNorEncryption() {
        assertThatThrownBy(() -> new AmiVariant("hvm", "gp3", false, "instance-store"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AmiVariant("hvm", "instance-store", true, "instance-store"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AmiVariant("hvm", "gp3", false, "s3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bundleObjectsLiveInOneFolderPerImageUnderTheFedimgPrefix() {
        ImageSpec image = ExampleEvents.IMAGE;
        assertThat(BundleNames.bucket("fedimg-bundles", "123456789012", "ap-southeast-1"))
                .isEqualTo("fedimg-bundles-123456789012-ap-southeast-1");
        assertThat(BundleNames.plan(image)).isEqualTo("fedimg/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64/"
                + "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.bundle-plan");
        assertThat(BundleNames.manifest(image, AmiVariant.instanceStore("hvm"))).isEqualTo(
                "fedimg/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-hvm-instance-store"
                        + "-0.manifest.xml");
        assertThat(BundleNames.part(image, "x.part.00")).startsWith(BundleNames.KEY_PREFIX).endsWith("/x.part.00");
        assertThatThrownBy(() -> BundleNames.bucket("Fedimg", "123456789012", "us-east-1"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
