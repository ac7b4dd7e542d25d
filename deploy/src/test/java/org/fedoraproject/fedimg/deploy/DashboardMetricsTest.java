package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * No dead panels or rules: every metric the dashboards and alert rules query is one the services' code
 * registers (rendered the way Micrometer's Prometheus registry names it), or one Quarkus itself exports
 * (the list scraped from a real Quarkus 3.33.2 Kafka service, {@code quarkus-runtime-metrics.txt}), or
 * Prometheus's own {@code up}. The end-to-end test ({@code e2e/PipelineIT}) checks the same list against the
 * /q/metrics of a pipeline that ran ({@link DashboardMetrics#missingFrom(Path, List)}).
 */
class DashboardMetricsTest {

    @Test
    void everyReferencedMetricIsExported() throws IOException {
        Map<String, List<String>> usages = DashboardMetrics.usages(Paths.DEPLOY);
        assertThat(usages).hasSizeGreaterThan(20);
        Set<String> exported = exportedByServices();
        Set<String> runtime = quarkusRuntimeMetrics();
        List<String> dead = new ArrayList<>();
        usages.forEach((name, where) -> {
            boolean known = name.startsWith("fedimg_") ? exported.contains(name)
                    : name.equals("up") || runtime.contains(name);
            if (!known) {
                dead.add(name + " (used by " + where + ")");
            }
        });
        assertThat(dead).as("metrics no service exports; the services export: " + exported).isEmpty();
    }

    @Test
    void everyServiceMeterNameIsResolvedFromTheSource() {
        for (ServiceModule s : ServiceModule.ALL) {
            MeterCatalog.Catalog catalog = MeterCatalog.scan(Paths.ROOT, sources(s));
            assertThat(catalog.unresolved()).as(s.module() + ": meter names this check cannot read").isEmpty();
            assertThat(catalog.meters()).as(s.module() + " meters").isNotEmpty();
        }
    }

    @Test
    void theDashboardsCoverEveryStageAndTheAwsAndKafkaHealth() {
        Set<String> names = DashboardMetrics.referencedMetricNames(Paths.DEPLOY);
        assertThat(names).contains("fedimg_aws_calls_total", "kafka_consumer_fetch_manager_records_lag", "up");
        for (String prefix : List.of("fedimg_bridge_", "fedimg_upload_", "fedimg_tester_", "fedimg_replicator_")) {
            assertThat(names).anyMatch(n -> n.startsWith(prefix));
        }
    }

    /** Union of the Prometheus names of every meter in the services and the shared code they run. */
    static Set<String> exportedByServices() {
        Set<String> out = new TreeSet<>();
        for (ServiceModule s : ServiceModule.ALL) {
            out.addAll(MeterCatalog.scan(Paths.ROOT, sources(s)).prometheusNames());
        }
        return out;
    }

    /** Per service: what it would export, for the report and for the lead. */
    static Map<String, Set<String>> exportedPerService() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (ServiceModule s : ServiceModule.ALL) {
            out.put(s.module(), MeterCatalog.scan(Paths.ROOT, sources(s)).prometheusNames());
        }
        return out;
    }

    /** A service's sources and the shared ones it runs ({@code fedimg_aws_calls_total} comes from aws-support). */
    static List<Path> sources(ServiceModule s) {
        return s.allSources(Paths.ROOT);
    }

    static Set<String> quarkusRuntimeMetrics() throws IOException {
        try (InputStream in = DashboardMetricsTest.class.getResourceAsStream("/quarkus-runtime-metrics.txt")) {
            Set<String> out = new TreeSet<>();
            new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(out::add);
            return out;
        }
    }

    // ------------------------------------------------------------------ the extractor itself

    @Test
    void promQlNamesAreFoundAndEverythingElseIsNot() {
        assertThat(PromQl.metricNames(
                "histogram_quantile(0.95, sum by (le, stage) (rate(fedimg_stage_seconds_bucket{stage=~\"$stage\"}[$__rate_interval])))"))
                .containsExactly("fedimg_stage_seconds_bucket");
        assertThat(PromQl.metricNames("sum(rate(a_total[5m])) by (job) / on(job) group_left(region) b > bool 0"))
                .containsExactly("a_total", "b");
        assertThat(PromQl.metricNames("x unless on (job, instance) (sum without (le) (increase(y[70m] offset 1h)) > 0)"))
                .containsExactly("x", "y");
        assertThat(PromQl.metricNames("absent(up{job=\"a\"}) or vector(0) and count_values(\"v\", z)"))
                .containsExactly("up", "z");
        assertThat(PromQl.metricNames("{__name__=\"fedimg_upload_jobs_total\", result=\"success\"} * 1e3 + 5m_ago"))
                .contains("fedimg_upload_jobs_total");
        assertThat(PromQl.metricNames("topk(5, sum by (operation) (rate(c{error_code!~\".*NotFound.*\", a=\"sum(q)\"}[10m])))"))
                .containsExactly("c");
        assertThat(PromQl.metricNames("max_over_time(d[1h:5m]) - time()")).containsExactly("d");
    }

    @Test
    void aScrapeIsComparedByName() {
        String scrape = """
                # HELP fedimg_aws_calls_total
                # TYPE fedimg_aws_calls_total counter
                fedimg_aws_calls_total{operation="DescribeImages",outcome="ok",region="us-east-1",error_code="none"} 3.0
                kafka_consumer_fetch_manager_records_lag{topic="fedimg.images",partition="0"} 0.0
                process_cpu_usage 0.01
                """;
        assertThat(DashboardMetrics.seriesNames(scrape))
                .containsExactly("fedimg_aws_calls_total", "kafka_consumer_fetch_manager_records_lag", "process_cpu_usage");
        Set<String> missing = DashboardMetrics.missingFrom(Paths.DEPLOY, List.of(scrape));
        assertThat(missing).doesNotContain("fedimg_aws_calls_total", "up", "process_cpu_usage")
                .contains("fedimg_upload_jobs_total");
    }

    @Test
    void dashboardVariablesAndRecordedNamesAreHandled() {
        Set<String> names = DashboardMetrics.referencedMetricNames(Paths.DEPLOY);
        assertThat(names).noneMatch(n -> n.startsWith("$") || n.contains(":") || n.equals("by") || n.equals("sum"));
    }
}
