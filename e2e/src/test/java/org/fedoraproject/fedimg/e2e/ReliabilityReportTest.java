package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which sections the report requires, from failsafe's -Dit.test. */
class ReliabilityReportTest {

    @Test
    void everySuiteWhenNoneIsNamed() {
        assertThat(ReliabilityReport.expectedSections("")).containsExactly("10-crashes.md", "15-crash-points.md",
                "20-broker-restart.md", "25-bus-restart.md", "30-aws-faults.md", "40-bad-input.md", "50-invariant.md",
                "60-moto.md");
        assertThat(ReliabilityReport.expectedSections("${it.test}")).hasSize(8);
        assertThat(ReliabilityReport.expectedSections("*SuiteIT")).hasSize(8);
    }

    @Test
    void theNamedSuitesAndMethods() {
        assertThat(ReliabilityReport.expectedSections("HostileSuiteIT")).containsExactly("40-bad-input.md", "50-invariant.md");
        assertThat(ReliabilityReport.expectedSections("ReliabilitySuiteIT#crashes, MotoPipelineSuiteIT"))
                .containsExactly("10-crashes.md", "60-moto.md");
        assertThat(ReliabilityReport.expectedSections("ReliabilitySuiteIT#*Faults")).containsExactly("30-aws-faults.md");
        assertThat(ReliabilityReport.expectedSections("PipelineIT")).isEmpty();
        assertThat(ReliabilityReport.expectedSections("ReliabilitySuiteIT#crashPoints")).containsExactly("15-crash-points.md");
    }

    @Test
    void theInjectedCountsAreSummedByKindOverTheSections(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path a = dir.resolve("10-a.md");
        java.nio.file.Path b = dir.resolve("20-b.md");
        java.nio.file.Files.writeString(a, "## a\n");
        java.nio.file.Files.writeString(b, "## b\n");
        ReportFragment.injected(a, java.util.Map.of("SIGKILL", 3L, "AWS fault: throttled", 10L));
        ReportFragment.injected(b, java.util.Map.of("SIGKILL", 2L));
        assertThat(ReliabilityReport.injected(java.util.List.of(a, b))).contains("| SIGKILL | 5 | 10-a, 20-b |",
                "| AWS fault: throttled | 10 | 10-a |");
        assertThat(ReliabilityReport.commit()).matches("[0-9a-f]{40} .*|unknown.*");
    }
}
