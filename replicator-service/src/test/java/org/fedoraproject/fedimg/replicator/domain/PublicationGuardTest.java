package org.fedoraproject.fedimg.replicator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.InvariantViolation;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Refusal;
import org.junit.jupiter.api.Test;

class PublicationGuardTest {

    @Test
    void aPassWithAVerifiedChecksumIsPermittedForExactlyThatAmi() {
        AmiTested t = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", TestVerdict.PASSED, true);
        Permit p = (Permit) PublicationGuard.evaluate(t);
        assertThat(p.sourceAmiId()).isEqualTo("ami-1");
        assertThat(p.variant()).isEqualTo("hvm-gp3");
        p.requireCovers("ami-1");
        assertThatThrownBy(() -> p.requireCovers("ami-2")).isInstanceOf(InvariantViolation.class);
    }

    @Test
    void aFailedTestIsRefusedWithItsReasonAndIsNotAnInvariantViolation() {
        AmiTested t = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", TestVerdict.FAILED, true);
        Refusal r = (Refusal) PublicationGuard.evaluate(t);
        assertThat(r.reason()).contains("test FAILED").contains("exit 1");
        assertThat(r.invariantViolation()).isFalse();
        assertThatThrownBy(() -> PublicationGuard.require(t)).isInstanceOf(InvariantViolation.class);
    }

    @Test
    void aPassWithoutAVerifiedChecksumIsRefusedAsAnInvariantViolation() {
        AmiTested t = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", TestVerdict.PASSED, false);
        Refusal r = (Refusal) PublicationGuard.evaluate(t);
        assertThat(r.reason()).contains("checksum was not verified");
        assertThat(r.invariantViolation()).isTrue();
        assertThatThrownBy(() -> PublicationGuard.require(t)).isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void noVerdictIsNoPass() {
        AmiTested t = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", null, true);
        assertThat(PublicationGuard.evaluate(t)).isInstanceOf(Refusal.class);
    }

    @Test
    void aPassWithoutAnImageDigestIsRefused() {
        AmiTested ok = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", TestVerdict.PASSED, true);
        var img = ok.image();
        var noDigest = new org.fedoraproject.fedimg.events.ImageSpec(img.url(), img.fileName(), img.name(), " ", img.sizeBytes(),
                img.arch(), img.release(), img.composeType(), img.variant(), img.subvariant(), img.respin());
        AmiTested t = new AmiTested(ok.eventId(), ok.imageKey(), ok.composeId(), ok.traceId(), ok.time(), noDigest, ok.ami(),
                ok.verdict(), ok.exitCode(), ok.durationMillis(), ok.outputExcerpt(), ok.consoleExcerpt(), ok.reason(),
                ok.testedAmiId());
        Refusal r = (Refusal) PublicationGuard.evaluate(t);
        assertThat(r.invariantViolation()).isTrue();
        assertThat(r.reason()).contains("SHA-256");
    }

    @Test
    void anEventWithoutAnAmiIsRefused() {
        AmiTested ok = Samples.tested("C-1", "production", Samples.GP3, "ami-1", "snap-1", TestVerdict.PASSED, true);
        AmiTested t = new AmiTested(ok.eventId(), ok.imageKey(), ok.composeId(), ok.traceId(), ok.time(), ok.image(), null,
                ok.verdict(), ok.exitCode(), ok.durationMillis(), ok.outputExcerpt(), ok.consoleExcerpt(), ok.reason(),
                ok.testedAmiId());
        assertThat(PublicationGuard.evaluate(t)).isInstanceOf(Refusal.class);
    }
}
