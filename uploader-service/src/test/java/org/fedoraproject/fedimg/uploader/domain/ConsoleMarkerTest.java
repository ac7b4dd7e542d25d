package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleMarkerTest {

    private static final String MARK = UtilityScript.marker("0123456789abcdef0123");

    @Test
    void findsSuccessAndFailureMarkers() {
        assertThat(ConsoleMarker.find("boot\n" + MARK + " SUCCESS /dev/sdf\n", MARK))
                .hasValueSatisfying(m -> assertThat(m.success()).isTrue());
        assertThat(ConsoleMarker.find("boot\n" + MARK + " FAILED CHECKSUM_MISMATCH sha256 abc, expected def\n", MARK))
                .hasValueSatisfying(m -> {
                    assertThat(m.success()).isFalse();
                    assertThat(m.code()).isEqualTo("CHECKSUM_MISMATCH");
                    assertThat(m.detail()).isEqualTo("sha256 abc, expected def");
                });
    }

    @Test
    void ignoresOtherJobsAndShellTraces() {
        assertThat(ConsoleMarker.find("FEDIMG-UTILITY-OTHER SUCCESS\n+ echo '" + MARK + " SUCCESS'\n", MARK)).isEmpty();
        assertThat(ConsoleMarker.find(null, MARK)).isEmpty();
    }

    @Test
    void excerptIsBounded() {
        String console = "x".repeat(10_000) + "the end";
        assertThat(ConsoleMarker.excerpt(console, 100)).hasSize(101).endsWith("the end");
        assertThat(ConsoleMarker.excerpt("short", 100)).isEqualTo("short");
    }
}
