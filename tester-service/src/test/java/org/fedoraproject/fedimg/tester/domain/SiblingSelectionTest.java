package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.tester.domain.SiblingSelection.Action;
import org.junit.jupiter.api.Test;

class SiblingSelectionTest {

    private static final List<String> PREFERRED = List.of("gp3", "gp2", "standard");

    private static AmiFacts ami(String id, String arch, String volume, boolean encrypted, Map<String, String> tags) {
        return new AmiFacts(id, arch, "hvm", volume, encrypted, tags);
    }

    private static AmiFacts ami(String id, String volume) {
        return ami(id, "x86_64", volume, false, Map.of());
    }

    private static Map<String, String> verdict(String tested, boolean passed) {
        return ResultMarker.tags(passed ? VerdictRules.finished(0, 10, "", "", tested, 1)
                : VerdictRules.finished(1, 10, "", "", tested, 1));
    }

    @Test
    void theMostPreferredVolumeTypeRepresentsTheGroup() {
        AmiFacts standard = ami("ami-a", "standard");
        AmiFacts gp3 = ami("ami-b", "gp3");
        AmiFacts gp2 = ami("ami-c", "gp2");
        var choice = SiblingSelection.choose(standard, List.of(standard, gp3, gp2), PREFERRED);
        assertThat(choice.action()).isEqualTo(Action.TEST);
        assertThat(choice.target().amiId()).isEqualTo("ami-b");
        assertThat(SiblingSelection.choose(gp3, List.of(standard, gp3, gp2), PREFERRED).target()).isSameAs(gp3);
    }

    @Test
    void aRecordedVerdictWinsOverPreferenceSoTheChoiceIsStableAsSiblingsAppear() {
        // gp2 was registered and tested first; gp3 arrived later and must not be booted again
        AmiFacts gp2 = ami("ami-c", "x86_64", "gp2", false, verdict("ami-c", true));
        AmiFacts gp3 = ami("ami-b", "gp3");
        var choice = SiblingSelection.choose(gp3, List.of(gp2, gp3), PREFERRED);
        assertThat(choice.action()).isEqualTo(Action.APPLY_SIBLING);
        assertThat(choice.target().amiId()).isEqualTo("ami-c");
    }

    @Test
    void anOwnVerdictIsReusedAndABootedSiblingIsPreferredOverOneThatOnlyInherited() {
        AmiFacts self = ami("ami-a", "x86_64", "gp3", false, verdict("ami-a", false));
        assertThat(SiblingSelection.choose(self, List.of(self), PREFERRED).action()).isEqualTo(Action.REUSE_OWN);

        AmiFacts inherited = ami("ami-1", "x86_64", "standard", false, verdict("ami-9", true));
        AmiFacts booted = ami("ami-9", "x86_64", "gp2", false, verdict("ami-9", true));
        AmiFacts fresh = ami("ami-5", "gp3");
        assertThat(SiblingSelection.choose(fresh, List.of(inherited, booted, fresh), PREFERRED).target().amiId())
                .isEqualTo("ami-9");
    }

    @Test
    void aTestInFlightIsJoinedNotDuplicated() {
        Map<String, String> started = new HashMap<>();
        started.put(TestTags.ATTEMPT, "1");
        AmiFacts running = ami("ami-z", "x86_64", "standard", false, started);
        AmiFacts gp3 = ami("ami-b", "gp3");
        var choice = SiblingSelection.choose(gp3, List.of(running, gp3), PREFERRED);
        assertThat(choice.action()).isEqualTo(Action.TEST);
        assertThat(choice.target().amiId()).isEqualTo("ami-z");
    }

    @Test
    void otherArchitecturesAndEncryptedAmisAreOtherGroups() {
        AmiFacts x86 = ami("ami-b", "gp2");
        AmiFacts arm = ami("ami-a", "arm64", "gp3", false, verdict("ami-a", true));
        AmiFacts encrypted = ami("ami-c", "x86_64", "gp3", true, verdict("ami-c", true));
        var choice = SiblingSelection.choose(x86, List.of(arm, encrypted, x86), PREFERRED);
        assertThat(choice.action()).isEqualTo(Action.TEST);
        assertThat(choice.target()).isSameAs(x86);
    }

    @Test
    void unknownVolumeTypesRankLastAndTiesGoToTheLowestAmiId() {
        AmiFacts io9 = ami("ami-a", "io9");
        AmiFacts gp2a = ami("ami-d", "gp2");
        AmiFacts gp2b = ami("ami-c", "gp2");
        assertThat(SiblingSelection.choose(io9, List.of(io9, gp2a, gp2b), PREFERRED).target().amiId()).isEqualTo("ami-c");
    }
}
