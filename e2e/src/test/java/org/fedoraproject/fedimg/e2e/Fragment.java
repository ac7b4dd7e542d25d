package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One suite's section of {@code docs/reliability.md}, written to {@code e2e/target/reliability/<NN>-<suite>.md};
 * {@link ReliabilityReport} joins the sections in name order. Written before the suite asserts, so a failing
 * suite still reports what it found.
 */
final class Fragment {

    static final String DIR_PROPERTY = "fedimg.reliability.dir";

    private final String file;
    private final String title;
    private final Instant began = Instant.now();
    private final String loadAtStart = loadAverage();
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> injected = new LinkedHashMap<>();

    Fragment(String file, String title) {
        this.file = file;
        this.title = title;
    }

    Fragment figure(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    /** Something this section injected (a kind of kill, restart or fault) and how often: a figure, and counted by the report. */
    Fragment injected(String kind, long count) {
        injected.merge(kind, count, Long::sum);
        figures.put("injected: " + kind, count);
        return this;
    }

    Fragment note(String line) {
        notes.add(line);
        return this;
    }

    /** Adds the run's audit figures and findings, then writes the section. */
    Path write(Audit audit) {
        figure("images (as the composes list them)", audit.images);
        figure("public AMIs checked (image × variant × region; each snapshot read, its content the compose image's)",
                audit.publicAmis);
        if (audit.invariant != null) {
            figure("public AMIs / snapshots without a PASSED verdict or a matching compose checksum",
                    audit.invariant.violations().size() + " (of " + audit.invariant.publicAmis() + " / "
                            + audit.invariant.publicSnapshots() + ")");
        }
        figure("duplicate AMIs, copies or events", audit.duplicates.size());
        figure("leaked or unexplained AMIs, instances, volumes, snapshots, key pairs, security groups", audit.leaks.size());
        figure("fedimg bus messages missing", audit.missing.size());
        figure("wrong outcomes", audit.wrong.size());
        figure("bus messages received", audit.busMessages);
        figure("bus messages re-sent under their own id (receivers deduplicate)", audit.busResentSameId);
        figure("Kafka events redelivered with their own id", audit.eventsRedelivered);
        figure("failed copies kept in a failing region (the next retry deregisters them)", audit.failedCopiesKept);
        figure("most test instances alive at once in a region (the tester's limit: " + ReliabilityRun.TEST_INSTANCE_LIMIT
                + "; launches that gave way to it at once with another replica's, terminated before their test)",
                audit.testInstancePeak + " (" + audit.testInstancesGaveWay + " gave way)");
        figure("time", Duration.between(began, Instant.now()).truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase());
        figure("load average (1/5/15 min) at start / end", loadAtStart + " / " + loadAverage());
        StringBuilder md = new StringBuilder("## ").append(title).append("\n\n");
        notes.forEach(n -> md.append(n).append("\n"));
        md.append(notes.isEmpty() ? "" : "\n").append("| figure | value |\n| --- | --- |\n");
        figures.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        List<String> findings = audit.findings();
        if (!findings.isEmpty()) {
            md.append("\nFindings (first 50):\n\n");
            findings.stream().limit(50).forEach(f -> md.append("- ").append(f.replace("|", "\\|")).append("\n"));
        }
        return write(md);
    }

    /** A section for a suite that did not run here, saying why, so the report shows the gap instead of hiding it. */
    Path skipped(String reason) {
        return write(new StringBuilder("## ").append(title).append("\n\nNot run: ").append(reason).append(".\n"));
    }

    private Path write(StringBuilder md) {
        try {
            Path dir = Files.createDirectories(dir());
            Path out = dir.resolve(file);
            Files.writeString(out, md.append("\n").toString());
            ReportFragment.injected(out, injected);
            System.out.println("[reliability] wrote " + out + ":\n" + md);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path dir() {
        return Path.of(System.getProperty(DIR_PROPERTY, "target/reliability")).toAbsolutePath();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }
}
