package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The four dashboards and their provisioning: they load in Grafana and every panel queries our datasource. */
class GrafanaDashboardsTest {

    static final Path GRAFANA = Paths.DEPLOY.resolve("grafana");

    @Test
    void fourDashboardsWithUniqueUidsAndPanelIds() {
        List<Path> files = DashboardMetrics.files(GRAFANA.resolve("dashboards"), ".json");
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "fedimg-pipeline.json", "fedimg-stages.json", "fedimg-aws.json", "fedimg-regions.json");
        Set<String> uids = new TreeSet<>();
        for (Path f : files) {
            JsonNode d = Material.json(f);
            assertThat(uids.add(d.path("uid").asText())).isTrue();
            assertThat(d.path("uid").asText() + ".json").isEqualTo(f.getFileName().toString());
            assertThat(d.path("title").asText()).startsWith("fedimg / ");
            Set<Integer> ids = new TreeSet<>();
            for (JsonNode p : d.path("panels")) {
                assertThat(ids.add(p.path("id").asInt())).as(f + " panel id " + p.path("id")).isTrue();
                if (!p.path("type").asText().equals("row")) {
                    assertThat(p.path("targets").size()).as(f + " " + p.path("title")).isPositive();
                    assertThat(p.at("/datasource/uid").asText()).isEqualTo(datasourceUid());
                    p.path("targets").forEach(t -> assertThat(t.path("expr").asText()).isNotBlank());
                    assertThat(p.at("/gridPos/w").asInt()).isBetween(1, 24);
                }
            }
        }
    }

    @Test
    void provisioningPointsAtTheDashboardsAndTheDatasource() {
        JsonNode provider = Material.yaml(GRAFANA.resolve("provisioning/dashboards/fedimg.yml"));
        String path = provider.at("/providers/0/options/path").asText();
        JsonNode compose = Material.yaml(Paths.DEPLOY.resolve("compose/compose.yaml"));
        assertThat(compose.at("/services/grafana/volumes").toString()).contains("../grafana/dashboards:" + path);
        assertThat(compose.at("/services/grafana/volumes").toString()).contains("../grafana/provisioning:/etc/grafana/provisioning");
        String home = compose.at("/services/grafana/environment/GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertThat(home).startsWith(path + "/");
        assertThat(GRAFANA.resolve("dashboards").resolve(home.substring(path.length() + 1))).exists();
    }

    static String datasourceUid() {
        JsonNode ds = Material.yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yml"));
        assertThat(ds.at("/datasources/0/type").asText()).isEqualTo("prometheus");
        return ds.at("/datasources/0/uid").asText();
    }
}
