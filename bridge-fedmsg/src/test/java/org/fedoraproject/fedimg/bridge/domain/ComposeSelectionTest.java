package org.fedoraproject.fedimg.bridge.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.SharedData;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;

class ComposeSelectionTest {

    static final SelectionRules DEFAULT = new SelectionRules(List.of("Cloud"), List.of("Cloud_Base"),
            List.of("raw-xz"), List.of("x86_64", "aarch64"), Optional.of("AmazonEC2"));

    static ProductmdImages read(String json) throws Exception {
        return ProductmdImages.parse(EventJson.MAPPER.readTree(json));
    }

    @Test
    void fedora28FixtureGivesTheTwoCloudBaseRawXz() throws Exception {
        ProductmdImages images = read(Files.readString(SharedData.file("compose/images-Fedora-28-20180425.0.json")));
        assertThat(images.composeId()).isEqualTo("Fedora-28-20180425.0");
        List<ComposeImage> selected = DEFAULT.select(images.images());
        assertThat(selected).extracting(ComposeImage::path).containsExactlyInAnyOrder(
                "Cloud/x86_64/images/Fedora-Cloud-Base-28-1.1.x86_64.raw.xz",
                "Cloud/aarch64/images/Fedora-Cloud-Base-28-1.1.aarch64.raw.xz");
        assertThat(selected).allSatisfy(i -> {
            assertThat(i.sha256()).matches("[0-9a-f]{64}");
            assertThat(i.size()).isPositive();
        });

        List<ImageReady> events = ImageEvents.forCompose(new ImageEvents.Cause("2018-8c8c2c46", false, 0),
                images.composeId(), "https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28/compose", "28",
                "production", selected, Instant.EPOCH);
        ImageReady x86 = events.stream().filter(e -> e.image().arch().equals("x86_64")).findFirst().orElseThrow();
        assertThat(x86.image().url()).isEqualTo("https://kojipkgs.fedoraproject.org/compose/28/latest-Fedora-28/compose"
                + "/Cloud/x86_64/images/Fedora-Cloud-Base-28-1.1.x86_64.raw.xz");
        assertThat(x86.image().name()).isEqualTo("Fedora-Cloud-Base-28-1.1.x86_64");
        assertThat(x86.imageKey()).isEqualTo("Fedora-28-20180425.0/Fedora-Cloud-Base-28-1.1.x86_64.raw.xz");
        assertThat(x86.image().ec2Architecture()).isEqualTo("x86_64");
        assertThat(x86.sourceMessageId()).isEqualTo("2018-8c8c2c46");
    }

    @Test
    void fedimg24RuleReproducesTheSpecOrderOnTheFixture() throws Exception {
        ProductmdImages images = read(Files.readString(SharedData.file("compose/images-Fedora-28-20180425.0.json")));
        SelectionRules fedimg24 = new SelectionRules(List.of("Cloud", "AtomicHost"), List.of("Cloud_Base", "AtomicHost"),
                List.of("raw-xz"), List.of("x86_64", "aarch64"), Optional.empty());
        assertThat(fedimg24.select(images.images())).extracting(ComposeImage::variant, ComposeImage::arch)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("Cloud", "x86_64"),
                        org.assertj.core.groups.Tuple.tuple("AtomicHost", "x86_64"),
                        org.assertj.core.groups.Tuple.tuple("Cloud", "aarch64"),
                        org.assertj.core.groups.Tuple.tuple("AtomicHost", "aarch64"));
    }

    @Test
    void oldCloudImagesVariantIsNotSelectedByDefaultButCanBeConfigured() throws Exception {
        ProductmdImages images = read(Files.readString(
                SharedData.file("compose/images-Fedora-Cloud-27-20180317.0.json")));
        assertThat(DEFAULT.select(images.images())).isEmpty();
        SelectionRules old = new SelectionRules(List.of("Cloud", "CloudImages"), List.of("Cloud_Base"),
                List.of("raw-xz"), List.of("x86_64", "aarch64"), Optional.of("AmazonEC2"));
        assertThat(old.select(images.images())).extracting(ComposeImage::fileName)
                .containsExactly("Fedora-Cloud-Base-27-20180317.0.x86_64.raw.xz");
    }

    @Test
    void amazonEc2FilesWinWhereTheComposeHasThem() throws Exception {
        List<ComposeImage> selected = DEFAULT.select(read(SampleComposes.f41ImagesJson()).images());
        assertThat(selected).extracting(ComposeImage::fileName).containsExactlyInAnyOrder(
                "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz",
                "Fedora-Cloud-Base-AmazonEC2-41-1.4.aarch64.raw.xz");
        assertThat(read(SampleComposes.qcowOnlyImagesJson()).images()).hasSize(1);
        assertThat(DEFAULT.select(read(SampleComposes.qcowOnlyImagesJson()).images())).isEmpty();
    }

    @Test
    void brokenMetadataIsInvalid() {
        for (String bad : List.of("[]", "{\"header\":{\"type\":\"productmd.composeinfo\",\"version\":\"1.2\"}}",
                "{\"header\":{\"type\":\"productmd.images\",\"version\":\"2.0\"},\"payload\":{}}",
                "{\"header\":{\"type\":\"productmd.images\",\"version\":\"1.2\"},\"payload\":{\"compose\":{}}}",
                "{\"header\":{\"type\":\"productmd.images\",\"version\":\"1.2\"},\"payload\":{\"compose\":{\"id\":\"x\"},\"images\":{\"Cloud\":{\"x86_64\":[{\"arch\":\"x86_64\"}]}}}}")) {
            assertThatThrownBy(() -> read(bad)).isInstanceOf(BadInputException.class)
                    .satisfies(e -> assertThat(((BadInputException) e).reason()).isEqualTo(DeadLetterReason.METADATA_INVALID));
        }
        String noChecksum = SampleComposes.imagesJson("Fedora-41-20241027.0", "production", java.util.Map.of("Cloud",
                java.util.Map.of("x86_64", List.of(SampleComposes.image("x86_64", "Cloud_Base", "raw-xz", "raw.xz",
                        "Cloud/x86_64/images/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz", "nothex", 5)))));
        assertThatThrownBy(() -> DEFAULT.select(read(noChecksum).images())).isInstanceOf(BadInputException.class)
                .hasMessageContaining("sha256");
    }

    /** Found by the e2e bad-input run: such paths used to reach the uploader and fail there (or fetch elsewhere). */
    @Test
    void aSelectedImageWhosePathMakesNoImageUrlIsInvalid() {
        for (String path : List.of("Cloud/x86_64/images/Fedora Cloud.raw.xz", "Cloud/x86_64/images/",
                "Cloud/x86_64/%zz.raw.xz", "http://elsewhere.example/Fedora.x86_64.raw.xz",
                "../../other/Cloud/x86_64/images/Fedora.x86_64.raw.xz")) {
            ComposeImage image = new ComposeImage("Cloud", "x86_64", "Cloud_Base", "raw-xz", "raw.xz", path,
                    "0".repeat(64), 5);
            assertThatThrownBy(() -> DEFAULT.select(List.of(image))).as(path).isInstanceOf(BadInputException.class)
                    .satisfies(e -> assertThat(((BadInputException) e).reason()).isEqualTo(DeadLetterReason.METADATA_INVALID))
                    .hasMessageContaining("path");
        }
        ComposeImage fine = new ComposeImage("Cloud", "x86_64", "Cloud_Base", "raw-xz", "raw.xz",
                "Cloud/x86_64/images/Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz", "0".repeat(64), 5);
        assertThat(DEFAULT.select(List.of(fine))).containsExactly(fine);
    }

    @Test
    void releaseAndArchFromNames() {
        assertThat(ReleaseNames.fromComposeId("Fedora-28-20180425.0")).isEqualTo("28");
        assertThat(ReleaseNames.fromComposeId("Fedora-Rawhide-20180426.n.0")).isEqualTo("Rawhide");
        assertThat(ReleaseNames.fromComposeId("Fedora-Cloud-27-20180317.0")).isEqualTo("27");
        assertThat(ReleaseNames.composeTypeFromId("Fedora-Rawhide-20180426.n.0")).isEqualTo("nightly");
        assertThat(ReleaseNames.composeTypeFromId("Fedora-28-20180425.0")).isEqualTo("production");
        assertThat(ReleaseNames.fromComposeId("not a compose")).isNull();
        assertThat(ReleaseNames.archFromFileName("Fedora-Cloud-Base-AmazonEC2-41-1.4.aarch64.raw.xz")).isEqualTo("aarch64");
        // Fedora 40+ names put the arch after the image name: the single-image trigger needs no --arch for them
        assertThat(ReleaseNames.archFromFileName("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4.raw.xz")).isEqualTo("x86_64");
        assertThat(ReleaseNames.archFromFileName("Fedora-Cloud-Base-AmazonEC2.aarch64-Rawhide-20241027.n.0.raw.xz"))
                .isEqualTo("aarch64");
        assertThat(ReleaseNames.releaseFromFileName("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4.raw.xz")).isEqualTo("41");
        assertThat(ReleaseNames.archFromFileName("Fedora-Cloud-Base-AmazonEC2-41-1.4.raw.xz")).isNull();
        assertThat(ReleaseNames.releaseFromFileName("Fedora-Cloud-Base-AmazonEC2-41-1.4.aarch64.raw.xz")).isEqualTo("41");
        assertThat(ReleaseNames.releaseFromFileName("Fedora-Cloud-Base-Rawhide-20241027.n.0.x86_64.raw.xz")).isEqualTo("Rawhide");
        assertThat(ReleaseNames.releaseFromFileName("something.raw.xz")).isNull();
    }
}
