package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code selection=one-per-group}: one boot per (architecture, virtualization type, encryption), applied to
 * the volume-type siblings.
 */
@QuarkusTest
@TestProfile(OnePerGroupTest.OnePerGroup.class)
class OnePerGroupTest extends TesterQuarkusTest {

    public static class OnePerGroup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("fedimg.tester.selection", "one-per-group");
        }
    }

    @Test
    void oneBootPerGroupAndEverySiblingGetsTheVerdict() {
        Scripts.use("#!/bin/bash\necho representative\nexit 0\n");
        ImageSpec image = TestAmis.image("x86_64");
        AmiRegistered standard = amis.register(image, "standard");
        AmiRegistered gp2 = amis.register(image, "gp2");
        AmiRegistered gp3 = amis.register(image, "gp3");
        long launches = emulator.inspect().callCount("RunInstances");
        // the least preferred sibling arrives first: it boots the gp3 representative for the group
        topics.send(standard);
        topics.send(gp2);
        topics.send(gp3);

        List<AmiTested> tested = topics.awaitTested(standard.imageKey(), 3, WAIT);
        assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(1);
        assertThat(tested).extracting(AmiTested::verdict).containsOnly(TestVerdict.PASSED);
        assertThat(tested).extracting(AmiTested::testedAmiId).containsOnly(gp3.ami().amiId());
        assertThat(tested).extracting(t -> t.ami().amiId())
                .containsExactlyInAnyOrder(standard.ami().amiId(), gp2.ami().amiId(), gp3.ami().amiId());
        assertThat(tested.stream().filter(t -> !t.ami().amiId().equals(gp3.ami().amiId())))
                .allSatisfy(t -> assertThat(t.reason()).startsWith("verdict of " + gp3.ami().amiId() + " (gp3)"));
        for (AmiRegistered e : List.of(standard, gp2, gp3)) {
            assertThat(amis.amiTags(e.ami().amiId())).containsEntry("fedimg:test", "passed")
                    .containsEntry("fedimg:test-tested-ami", gp3.ami().amiId());
        }
    }

    @Test
    void aSiblingRegisteredAfterTheVerdictTakesItInsteadOfBootingAgain() {
        Scripts.use("#!/bin/bash\nexit 0\n");
        ImageSpec image = TestAmis.image("aarch64");
        AmiRegistered standard = amis.register(image, "standard");
        long launches = emulator.inspect().callCount("RunInstances");
        topics.send(standard);
        assertThat(topics.awaitTested(standard.imageKey(), 1, WAIT).get(0).testedAmiId())
                .isEqualTo(standard.ami().amiId());

        // gp3 is preferred, but the group already has a verdict: the choice stays stable
        AmiRegistered gp3 = amis.register(image, "gp3");
        topics.send(gp3);
        AmiTested late = topics.awaitTested(gp3.imageKey(), 2, WAIT).stream()
                .filter(t -> t.ami().amiId().equals(gp3.ami().amiId())).findFirst().orElseThrow();
        assertThat(late.testedAmiId()).isEqualTo(standard.ami().amiId());
        assertThat(late.verdict()).isEqualTo(TestVerdict.PASSED);
        assertThat(emulator.inspect().callCount("RunInstances") - launches).isEqualTo(1);
    }
}
