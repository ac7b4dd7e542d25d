package org.fedoraproject.fedimg.cli.janitor;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.messaging.EventJson;

/** Renders a {@link Report} as a table for people or as one JSON document for scheduled jobs. */
final class ReportWriter {

    private static final int NAME_WIDTH = 40;

    private ReportWriter() {
    }

    static void table(Report report, boolean showKept, PrintWriter out) {
        List<Finding> rows = report.plan().findings().stream()
                .filter(f -> showKept || f.action() != Finding.Action.KEEP).toList();
        List<String[]> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("REGION", "TYPE", "ID", "NAME", "AGE", "ACTION", "REASON"));
        if (report.delete()) {
            header.add(6, "RESULT");
        }
        cells.add(header.toArray(String[]::new));
        for (Finding f : rows) {
            List<String> c = new ArrayList<>(List.of(f.resource().region(), f.resource().type().label(), f.resource().id(),
                    shorten(f.resource().name()), f.age(report.now()).map(Ages::format).orElse("-"),
                    f.action().name().toLowerCase(Locale.ROOT), f.reason()));
            if (report.delete()) {
                c.add(6, report.outcome(f).map(o -> o.status().name().toLowerCase(Locale.ROOT).replace('_', '-')
                        + (o.detail().isBlank() ? "" : " (" + o.detail() + ")")).orElse(""));
            }
            cells.add(c.toArray(String[]::new));
        }
        if (rows.isEmpty()) {
            out.println("No leaked fedimg resources found.");
        } else {
            int[] widths = new int[cells.get(0).length];
            for (String[] row : cells) {
                for (int i = 0; i < row.length - 1; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            for (String[] row : cells) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
                }
                out.println(line.toString().stripTrailing());
            }
        }
        out.println();
        out.println(summary(report));
        report.errors().forEach((where, why) -> out.println("ERROR " + where + ": " + why));
        out.flush();
    }

    static String summary(Report r) {
        List<Finding> delete = r.plan().with(Finding.Action.DELETE);
        List<Finding> mark = r.plan().with(Finding.Action.MARK);
        int kept = r.plan().with(Finding.Action.KEEP).size();
        String scope = r.regions().size() + " region" + (r.regions().size() == 1 ? "" : "s")
                + (r.kafkaConsulted() ? ", Kafka consulted" : ", without Kafka (age alone decides in flight)")
                + ", grace " + Ages.format(r.grace());
        if (!r.errors().isEmpty()) {
            return "INCOMPLETE: " + r.errors().size() + " source(s) could not be read, so nothing was deleted or marked. "
                    + "Found " + delete.size() + " to delete" + counts(delete) + " in what could be read (" + scope + ").";
        }
        if (!r.delete()) {
            return "Dry run: would delete " + delete.size() + counts(delete) + " and mark " + mark.size() + counts(mark)
                    + "; kept " + kept + " fedimg resources (" + scope + "). Nothing was changed; use --delete to delete.";
        }
        Map<Outcome.Status, Long> by = new EnumMap<>(Outcome.Status.class);
        r.outcomes().forEach(o -> by.merge(o.status(), 1L, Long::sum));
        return "Deleted " + by.getOrDefault(Outcome.Status.DELETED, 0L) + ", already gone "
                + by.getOrDefault(Outcome.Status.ALREADY_GONE, 0L) + ", marked " + by.getOrDefault(Outcome.Status.MARKED, 0L)
                + ", refused " + by.getOrDefault(Outcome.Status.REFUSED, 0L) + ", failed "
                + by.getOrDefault(Outcome.Status.FAILED, 0L) + "; kept " + kept + " fedimg resources (" + scope + ").";
    }

    private static String counts(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "";
        }
        Map<ResourceType, Long> by = new EnumMap<>(ResourceType.class);
        findings.forEach(f -> by.merge(f.resource().type(), 1L, Long::sum));
        return by.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().label())
                .collect(Collectors.joining(", ", " (", ")"));
    }

    static void json(Report report, PrintWriter out) {
        ObjectNode root = EventJson.MAPPER.createObjectNode();
        root.put("mode", report.delete() ? "delete" : "dry-run");
        root.put("now", report.now().toString());
        root.put("grace", report.grace().toString());
        root.put("kafkaConsulted", report.kafkaConsulted());
        ArrayNode regions = root.putArray("regions");
        report.regions().forEach(regions::add);
        ArrayNode leaks = root.putArray("findings");
        ArrayNode kept = root.putArray("kept");
        for (Finding f : report.plan().findings()) {
            ObjectNode n = (f.action() == Finding.Action.KEEP ? kept : leaks).addObject();
            Resource r = f.resource();
            n.put("region", r.region());
            n.put("type", r.type().label());
            n.put("id", r.id());
            n.put("name", r.name());
            n.put("imageKey", r.imageKey().orElse(null));
            n.put("purpose", r.purpose().isBlank() ? null : r.purpose());
            n.put("created", r.created().map(Object::toString).orElse(null));
            if (f.age(report.now()).isPresent()) {
                n.put("ageSeconds", f.age(report.now()).map(Duration::getSeconds).get());
            } else {
                n.putNull("ageSeconds");
            }
            n.put("action", f.action().name().toLowerCase(Locale.ROOT));
            n.put("reason", f.reason());
            f.dependsOn().ifPresent(d -> n.put("after", d));
            report.outcome(f).ifPresent(o -> {
                n.put("result", o.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                if (!o.detail().isBlank()) {
                    n.put("detail", o.detail());
                }
            });
            if (r.tag(AwsTags.TEST_VERDICT) != null) {
                n.put("testVerdict", r.tag(AwsTags.TEST_VERDICT));
            }
        }
        ObjectNode errors = root.putObject("errors");
        report.errors().forEach(errors::put);
        ObjectNode summary = root.putObject("summary");
        summary.put("toDelete", report.plan().with(Finding.Action.DELETE).size());
        summary.put("toMark", report.plan().with(Finding.Action.MARK).size());
        summary.put("kept", report.plan().with(Finding.Action.KEEP).size());
        for (Outcome.Status s : Outcome.Status.values()) {
            summary.put(s.name().toLowerCase(Locale.ROOT).replace("_g", "G"),
                    report.outcomes().stream().filter(o -> o.status() == s).count());
        }
        summary.put("exitCode", report.exitCode());
        summary.put("text", summary(report));
        try {
            out.println(EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private static String shorten(String s) {
        return s.length() <= NAME_WIDTH ? s : s.substring(0, NAME_WIDTH - 1) + "…";
    }
}
