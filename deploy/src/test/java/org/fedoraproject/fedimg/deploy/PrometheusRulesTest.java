package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The scrape config and alert rules: promtool's own checks and unit tests (when promtool is installed, e.g.
 * Debian's prometheus package), the Operator's PrometheusRule in step with the rules file, and every alert
 * documented.
 */
class PrometheusRulesTest {

    static final Path PROMETHEUS = Paths.DEPLOY.resolve("prometheus");

    @Test
    void promtoolAcceptsTheConfigRulesAndUnitTests() throws Exception {
        Path promtool = Tools.onPath("promtool").orElse(null);
        assumeTrue(promtool != null, "promtool is not installed (apt-get install prometheus): skipping its checks");
        Tools.Result config = Tools.run(PROMETHEUS, List.of(promtool.toString(), "check", "config", "prometheus.yml"));
        assertThat(config.exit()).as(config.output()).isZero();
        List<String> rules = new ArrayList<>(List.of(promtool.toString(), "check", "rules"));
        DashboardMetrics.files(PROMETHEUS.resolve("rules"), ".yml").forEach(f -> rules.add(PROMETHEUS.relativize(f).toString()));
        Tools.Result checked = Tools.run(PROMETHEUS, rules);
        assertThat(checked.exit()).as(checked.output()).isZero();
        List<String> tests = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
        DashboardMetrics.files(PROMETHEUS.resolve("tests"), ".yml").forEach(f -> tests.add(PROMETHEUS.relativize(f).toString()));
        Tools.Result tested = Tools.run(PROMETHEUS, tests);
        assertThat(tested.exit()).as(tested.output()).isZero();
        assertThat(tested.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsDocumentedAndHasASeverity() {
        for (DashboardMetrics.Query q : DashboardMetrics.ruleQueries(PROMETHEUS.resolve("rules"))) {
            assertThat(q.expr()).as(q.where()).isNotBlank();
        }
        for (JsonNode group : Material.yaml(PROMETHEUS.resolve("rules/fedimg-alerts.yml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                assertThat(rule.at("/labels/severity").asText()).as(name).isIn("critical", "warning", "info");
                assertThat(rule.at("/annotations/summary").asText()).as(name).isNotBlank();
                assertThat(rule.at("/annotations/description").asText()).as(name).isNotBlank();
            }
        }
    }

    @Test
    void everyAlertHasAUnitTest() {
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : Material.yaml(PROMETHEUS.resolve("rules/fedimg-alerts.yml")).path("groups")) {
            group.path("rules").forEach(r -> alerts.add(r.path("alert").asText()));
        }
        Set<String> tested = new TreeSet<>();
        for (Path f : DashboardMetrics.files(PROMETHEUS.resolve("tests"), ".yml")) {
            for (JsonNode t : Material.yaml(f).path("tests")) {
                t.path("alert_rule_test").forEach(a -> tested.add(a.path("alertname").asText()));
            }
        }
        // the high-lag, AMI-test, publication and bus alerts are single-threshold expressions, checked by promtool
        Set<String> untested = new TreeSet<>(alerts);
        untested.removeAll(tested);
        assertThat(untested).isSubsetOf("FedimgConsumerLagHigh", "FedimgAmiTestFailed", "FedimgImageNotFullyPublished",
                "FedimgBusPublishFailing");
        assertThat(tested).hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void scrapeJobsAreTheServices() {
        JsonNode config = Material.yaml(PROMETHEUS.resolve("prometheus.yml"));
        Set<String> jobs = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            jobs.add(name);
            if (!name.equals("prometheus")) {
                assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
                assertThat(job.at("/static_configs/0/targets/0").asText()).isEqualTo(name + ":" + ServiceModule.HTTP_PORT);
            }
        }
        assertThat(jobs).containsAll(ServiceModule.ALL.stream().map(ServiceModule::module).toList());
    }

    @Test
    void theOperatorRuleIsTheRulesFile() {
        JsonNode file = Material.yaml(PROMETHEUS.resolve("rules/fedimg-alerts.yml"));
        JsonNode rule = Material.yaml(Paths.DEPLOY.resolve("k8s/monitoring/prometheusrule.yaml"));
        assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(rule.path("spec")).as("k8s/monitoring/prometheusrule.yaml spec = prometheus/rules/fedimg-alerts.yml")
                .isEqualTo(file);
        JsonNode monitor = Material.yaml(Paths.DEPLOY.resolve("k8s/monitoring/podmonitor.yaml"));
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/relabelings/0/targetLabel").asText()).isEqualTo("job");
    }
}
