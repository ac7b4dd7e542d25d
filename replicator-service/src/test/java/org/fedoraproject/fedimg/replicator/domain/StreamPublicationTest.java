package org.fedoraproject.fedimg.replicator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.lifecycle.domain.StreamKey;
import org.fedoraproject.fedimg.replicator.domain.RegionSelection.AccountRegion;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication.ShareTargets;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication.Visibility;
import org.junit.jupiter.api.Test;

/** Per-stream regions and sharing, decided from the compose's stream. */
class StreamPublicationTest {

    static final String ORG = "arn:aws:organizations::123456789012:organization/o-abcdef1234";
    static final String OU = "arn:aws:organizations::123456789012:ou/o-abcdef1234/ou-ab12-cdefgh34";
    static final List<String> NIGHTLY_REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");

    static final List<StreamPublication> ALL = List.of(
            new StreamPublication(new StreamKey("nightly", "nightly", Optional.empty()), Optional.of(NIGHTLY_REGIONS),
                    Visibility.PUBLIC, ShareTargets.NONE),
            new StreamPublication(new StreamKey("staging", "nightly", Optional.of("Rawhide")), Optional.of(List.of("us-east-1")),
                    Visibility.SHARED, new ShareTargets(List.of("111122223333"), List.of(ORG), List.of(OU))),
            new StreamPublication(new StreamKey("production", "production", Optional.empty()), Optional.empty(),
                    Visibility.PUBLIC, ShareTargets.NONE));

    static final List<AccountRegion> ACCOUNT = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "eu-central-1",
            "sa-east-1").stream().map(r -> new AccountRegion(r, "opt-in-not-required")).toList();

    @Test
    void nightliesGoToTheirFourRegionsAndReleasesEverywhere() {
        StreamPublication nightly = StreamPublication.of(ALL, "nightly", "41");
        assertThat(nightly.key().name()).isEqualTo("nightly");
        assertThat(RegionSelection.select(ACCOUNT, "us-east-1", nightly.allow(List.of()), List.of()).targets())
                .containsExactlyInAnyOrderElementsOf(NIGHTLY_REGIONS);
        StreamPublication release = StreamPublication.of(ALL, "production", "41");
        assertThat(release.shareOnly()).isFalse();
        assertThat(RegionSelection.select(ACCOUNT, "us-east-1", release.allow(List.of()), List.of()).targets()).hasSize(6);
        // the deny list still applies to a stream's own regions
        assertThat(RegionSelection.select(ACCOUNT, "us-east-1", nightly.allow(List.of()), List.of("eu-west-1")).targets())
                .doesNotContain("eu-west-1").hasSize(3);
    }

    @Test
    void aStreamWithoutRegionsKeepsTheGlobalAllowList() {
        assertThat(StreamPublication.of(ALL, "production", "41").allow(List.of("us-east-1", "eu-west-1")))
                .containsExactly("us-east-1", "eu-west-1");
    }

    @Test
    void theReleasesStagingStreamIsShareOnlyWithAccountsOrganizationsAndOus() {
        StreamPublication staging = StreamPublication.of(ALL, "nightly", "Rawhide");
        assertThat(staging.shareOnly()).isTrue();
        assertThat(staging.shareWith().all()).containsExactly("111122223333", ORG, OU);
    }

    @Test
    void aComposeOfNoStreamIsPublicEverywhere() {
        StreamPublication none = StreamPublication.of(ALL, "test", "41");
        assertThat(none.shareOnly()).isFalse();
        assertThat(none.regions()).isEmpty();
        assertThat(none.allow(List.of("eu-west-1"))).containsExactly("eu-west-1");
    }

    @Test
    void shareOnlyWithNobodyOrWithMalformedTargetsIsRefusedAtStart() {
        StreamKey key = new StreamKey("staging", "nightly", Optional.empty());
        assertThatThrownBy(() -> new StreamPublication(key, Optional.empty(), Visibility.SHARED, ShareTargets.NONE))
                .hasMessageContaining("shares with nobody");
        assertThatThrownBy(() -> new StreamPublication(key, Optional.empty(), Visibility.SHARED,
                new ShareTargets(List.of("12345"), List.of(), List.of()))).hasMessageContaining("12-digit");
        assertThatThrownBy(() -> new StreamPublication(key, Optional.empty(), Visibility.SHARED,
                new ShareTargets(List.of(), List.of("o-abcdef1234"), List.of()))).hasMessageContaining("organization ARN");
        assertThatThrownBy(() -> new StreamPublication(key, Optional.of(List.of()), Visibility.PUBLIC, ShareTargets.NONE))
                .hasMessageContaining("regions is empty");
    }
}
