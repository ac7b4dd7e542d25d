package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The assembler of {@code docs/reliability.md}: runs after every reliability suite of the {@code reliability}
 * profile (its own failsafe execution in {@code post-integration-test}, so it runs even when a suite failed)
 * and joins the sections they wrote to {@code target/reliability/<NN>-<suite>.md}, in name order, under a
 * header saying when, where and on what machine. Sections older than this Maven run (or than
 * {@code -Dfedimg.reliability.since}, after rerunning one suite) are left out.
 */
class ReliabilityReport {

    static final String COMMAND = "./mvnw -B -ntp -Preliability -pl e2e -am verify";

    @Test
    void assemble() throws Exception {
        Instant since = Instant.parse(System.getProperty("fedimg.reliability.since", Instant.EPOCH.toString()));
        List<Path> sections = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        if (Files.isDirectory(Fragment.dir())) {
            try (Stream<Path> files = Files.list(Fragment.dir())) {
                for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(since)) {
                        stale.add(f.getFileName().toString());
                    } else {
                        sections.add(f);
                    }
                }
            }
        }
        assertThat(sections).as("sections written by this run in %s (older ones: %s)", Fragment.dir(), stale).isNotEmpty();

        StringBuilder md = new StringBuilder("# fedimg reliability\n\n");
        md.append("Written by `").append(COMMAND).append("` (the `reliability` profile of `e2e`; ")
                .append("`-Dfedimg.reliability.seed=N` replays a run's schedules, `-Dfedimg.reliability.kills=N` ")
                .append("changes the kills per service). The normal build runs the short version, `ReliabilityIT`.\n\n");
        md.append("| run | value |\n| --- | --- |\n");
        md.append("| date (UTC) | ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(" |\n");
        md.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(cpuModel()).append(", ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(", Java ").append(System.getProperty("java.version"))
                .append(" |\n");
        md.append("| load average (1/5/15 min) when written | ").append(Fragment.loadAverage()).append(" |\n");
        md.append("| sections, and when each was written | ").append(String.join(", ", sections.stream().map(p -> p.getFileName()
                + " (" + written(p) + ")").toList()))
                .append(stale.isEmpty() ? "" : " (left out, from an earlier run: " + String.join(", ", stale) + ")")
                .append(" |\n\n");
        md.append("Every suite runs the four services as separate JVMs on a real single-node Kafka (KRaft), the "
                + "machine's RabbitMQ and the AWS emulator (fast delays, 8 regions), and ends with one audit: "
                + "per image, variant and region exactly one AMI, available and public with a public snapshot; no "
                + "other AMI, no instance still running, no volume, no snapshot without an AMI, no key pair, no "
                + "security group; every fedimg bus message of every stage present under the id the bridge derives "
                + "from its event, and no message under two ids (re-sending one under its own id is allowed: that is "
                + "how the bridge is designed to be at-least-once, and receivers deduplicate on the id).\n\n");
        for (Path section : sections) {
            md.append(Files.readString(section).trim()).append("\n\n");
        }
        Path out = E2eConfig.projectDir().resolve("docs/reliability.md");
        Files.writeString(out, md.toString().trim() + "\n");
        System.out.println("[reliability] wrote " + out);
    }

    private static String written(Path section) {
        try {
            return Files.getLastModifiedTime(section).toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
