package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.lifecycle.domain.StreamKey;
import org.fedoraproject.fedimg.uploader.domain.StreamMatrices.StreamMatrix;
import org.junit.jupiter.api.Test;

/** Which AMI variants a compose gets: its stream's (the most specific), else the registration's. */
class StreamMatricesTest {

    static final AmiMatrix DEFAULTS = new AmiMatrix(List.of("hvm"), List.of("gp3", "standard"), Map.of(), Optional.empty());
    static final StreamMatrices MATRICES = new StreamMatrices(DEFAULTS, List.of(
            new StreamMatrix(new StreamKey("nightly", "nightly", Optional.empty()),
                    new AmiMatrix(List.of("hvm"), List.of("gp3"), Map.of(), Optional.empty())),
            new StreamMatrix(new StreamKey("rawhide-nightly", "nightly", Optional.of("Rawhide")),
                    new AmiMatrix(List.of("hvm"), List.of("standard"), Map.of(), Optional.empty()))));

    static List<String> slugs(String type, String release) {
        return MATRICES.of(type, release).variants("us-east-1", "x86_64").stream().map(AmiVariant::slug).toList();
    }

    @Test
    void nightliesAreGp3OnlyAndReleasesGetBothVolumeTypes() {
        assertThat(slugs("nightly", "41")).containsExactly("hvm-gp3");
        assertThat(slugs("production", "41")).containsExactly("hvm-gp3", "hvm-standard");
    }

    @Test
    void theReleasesOwnStreamWins() {
        assertThat(slugs("nightly", "Rawhide")).containsExactly("hvm-standard");
    }

    @Test
    void aComposeOfNoStreamGetsTheRegistrationsVariants() {
        assertThat(slugs("test", "41")).containsExactly("hvm-gp3", "hvm-standard");
        assertThat(slugs(null, null)).containsExactly("hvm-gp3", "hvm-standard");
    }
}
