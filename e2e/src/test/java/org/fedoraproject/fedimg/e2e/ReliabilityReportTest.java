package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which sections the report requires, from failsafe's -Dit.test. */
class ReliabilityReportTest {

    @Test
    void everySuiteWhenNoneIsNamed() {
        assertThat(ReliabilityReport.expectedSections("")).containsExactly("10-crashes.md", "20-broker-restart.md",
                "30-aws-faults.md", "40-bad-input.md", "50-invariant.md", "60-moto.md");
        assertThat(ReliabilityReport.expectedSections("${it.test}")).hasSize(6);
        assertThat(ReliabilityReport.expectedSections("*SuiteIT")).hasSize(6);
    }

    @Test
    void theNamedSuitesAndMethods() {
        assertThat(ReliabilityReport.expectedSections("HostileSuiteIT")).containsExactly("40-bad-input.md", "50-invariant.md");
        assertThat(ReliabilityReport.expectedSections("ReliabilitySuiteIT#crashes, MotoPipelineSuiteIT"))
                .containsExactly("10-crashes.md", "60-moto.md");
        assertThat(ReliabilityReport.expectedSections("ReliabilitySuiteIT#*Faults")).containsExactly("30-aws-faults.md");
        assertThat(ReliabilityReport.expectedSections("PipelineIT")).isEmpty();
    }
}
