package org.fedoraproject.fedimg.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Every metric name the Grafana dashboards ({@code grafana/dashboards/*.json}: panel targets and template
 * variable queries) and the Prometheus rules ({@code prometheus/rules/*.yml}: alert and recording rules)
 * query. Recording rules' own names are left out, since Prometheus makes those, not a service.
 *
 * <p>{@code java -cp ... org.fedoraproject.fedimg.deploy.DashboardMetrics [deployDir]} prints them one per
 * line, followed by where each is used, so a running pipeline's {@code /q/metrics} can be checked against
 * them.
 */
public final class DashboardMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

    private DashboardMetrics() {
    }

    /** The metric names referenced by every dashboard and rule under {@code deployDir}. */
    public static Set<String> referencedMetricNames(Path deployDir) {
        return new TreeSet<>(usages(deployDir).keySet());
    }

    /** The series names in a Prometheus text exposition (a service's /q/metrics body). */
    public static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).forEach(names::add);
        return names;
    }

    /**
     * The referenced names that none of the given expositions (the /q/metrics bodies of a running pipeline's
     * services) contains. {@code up} is Prometheus's own and never missing. Note that Micrometer shows a
     * tagged counter only once it has been incremented: a pipeline run must have produced each outcome.
     */
    public static Set<String> missingFrom(Path deployDir, List<String> expositions) {
        Set<String> exported = new TreeSet<>();
        expositions.forEach(e -> exported.addAll(seriesNames(e)));
        Set<String> missing = new TreeSet<>(referencedMetricNames(deployDir));
        missing.removeAll(exported);
        missing.remove("up");
        return missing;
    }

    /** Metric name → the places (file: panel or rule) that query it. */
    public static Map<String, List<String>> usages(Path deployDir) {
        Map<String, List<String>> usages = new TreeMap<>();
        List<Query> queries = new ArrayList<>();
        queries.addAll(dashboardQueries(deployDir.resolve("grafana/dashboards")));
        queries.addAll(ruleQueries(deployDir.resolve("prometheus/rules")));
        Set<String> recorded = recordedNames(deployDir.resolve("prometheus/rules"));
        for (Query q : queries) {
            for (String name : PromQl.metricNames(q.expr())) {
                if (!recorded.contains(name)) {
                    usages.computeIfAbsent(name, k -> new ArrayList<>()).add(q.where());
                }
            }
        }
        return usages;
    }

    /** A PromQL expression and where it is written. */
    public record Query(String where, String expr) {
    }

    public static List<Query> dashboardQueries(Path dashboards) {
        List<Query> out = new ArrayList<>();
        for (Path file : files(dashboards, ".json")) {
            JsonNode root = read(JSON, file);
            collectTargets(root, file.getFileName().toString(), out);
            for (JsonNode var : root.path("templating").path("list")) {
                JsonNode query = var.path("query");
                String text = query.isObject() ? query.path("query").asText("") : query.asText("");
                if (!"query".equals(var.path("type").asText()) || text.isBlank()) {
                    continue;
                }
                String where = file.getFileName() + ": variable " + var.path("name").asText();
                Matcher lv = LABEL_VALUES.matcher(text);
                Matcher qr = QUERY_RESULT.matcher(text);
                if (lv.matches()) {
                    out.add(new Query(where, lv.group(1)));
                } else if (qr.matches()) {
                    out.add(new Query(where, qr.group(1)));
                } else if (!text.trim().startsWith("label_values(") && !text.trim().startsWith("label_names(")
                        && !text.trim().startsWith("metrics(")) {
                    out.add(new Query(where, text));
                }
            }
        }
        return out;
    }

    private static void collectTargets(JsonNode node, String file, List<Query> out) {
        if (node.isObject()) {
            JsonNode targets = node.path("targets");
            if (targets.isArray()) {
                String title = node.path("title").asText("(untitled)");
                for (JsonNode t : targets) {
                    String expr = t.path("expr").asText("");
                    if (!expr.isBlank()) {
                        out.add(new Query(file + ": panel \"" + title + "\"", expr));
                    }
                }
            }
            node.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("targets")) {
                    collectTargets(e.getValue(), file, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectTargets(child, file, out));
        }
    }

    public static List<Query> ruleQueries(Path rulesDir) {
        List<Query> out = new ArrayList<>();
        for (Path file : files(rulesDir, ".yml")) {
            for (JsonNode group : read(YAML, file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String name = rule.has("alert") ? "alert " + rule.path("alert").asText()
                            : "record " + rule.path("record").asText();
                    out.add(new Query(file.getFileName() + ": " + name, rule.path("expr").asText()));
                }
            }
        }
        return out;
    }

    private static Set<String> recordedNames(Path rulesDir) {
        Set<String> names = new TreeSet<>();
        for (Path file : files(rulesDir, ".yml")) {
            for (JsonNode group : read(YAML, file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("record")) {
                        names.add(rule.path("record").asText());
                    }
                }
            }
        }
        return names;
    }

    static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "deploy");
        usages(dir).forEach((name, where) -> System.out.println(name + "\t" + String.join("; ", where)));
    }
}
