package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The assembler of {@code docs/reliability.md}: runs after every reliability suite of the {@code reliability}
 * profile (its own failsafe execution in {@code post-integration-test}, so it runs even when a suite failed)
 * and joins the sections they wrote to {@code target/reliability/<NN>-<suite>.md}, in name order, under a
 * header saying when, where and on what machine. Sections older than this Maven run (or than
 * {@code -Dfedimg.reliability.since}, after rerunning one suite) are left out. Every suite this run was asked for
 * ({@code -Dit.test}, all of them by default) must have written its sections, a suite that could not run a part
 * writing one that says why: a section missing fails the report instead of leaving the last run's text in place.
 */
class ReliabilityReport {

    static final String COMMAND = "./mvnw -B -ntp -Preliability -pl e2e -am verify";

    /** The sections each suite writes, by test method where one method writes one section. */
    static final Map<String, Map<String, String>> SECTIONS = Map.of(
            "ReliabilitySuiteIT", Map.of("crashes", "10-crashes.md", "crashPoints", "15-crash-points.md",
                    "brokerRestart", "20-broker-restart.md", "busRestart", "25-bus-restart.md", "awsFaults", "30-aws-faults.md"),
            "HostileSuiteIT", Map.of("", "40-bad-input.md 50-invariant.md"),
            "MotoPipelineSuiteIT", Map.of("", "60-moto.md"));

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
        Set<String> written = sections.stream().map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        assertThat(expectedSections(System.getProperty("fedimg.reliability.suites", "")))
                .as("sections of the suites asked for (-Dit.test), written by this run in %s", Fragment.dir())
                .isSubsetOf(written);

        StringBuilder md = new StringBuilder("# fedimg reliability\n\n");
        md.append("Written by `").append(COMMAND).append("` (the `reliability` profile of `e2e`; ")
                .append("`-Dfedimg.reliability.seed=N` replays a run's schedules, `-Dfedimg.reliability.kills=N` ")
                .append("changes the kills per service). The normal build runs the short version, `ReliabilityIT`.\n\n");
        md.append("| run | value |\n| --- | --- |\n");
        md.append("| commit | ").append(commit()).append(" |\n");
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
        md.append("Every suite runs the four services as separate JVMs on a real single-node Kafka (KRaft), an AMQP "
                + "broker (the machine's RabbitMQ, or an embedded one where none answers) and the AWS emulator (fast "
                + "delays, 8 regions), and ends with one audit against the run's ground truth, not fedimg's own events "
                + "or tags: the composes it generated (read back as served), the AMI matrix and regions it configured, "
                + "and the id formulas of docs/events.md written out in the test. Per compose image, configured variant "
                + "and region exactly one AMI, available and public with a public snapshot whose blocks (read through "
                + "EBS direct) hold that image byte for byte; no AMI, snapshot, instance, volume, key pair or security "
                + "group the expected set does not explain; no public AMI without a PASSED verdict and a compose "
                + "checksum that matches the image's bytes; every fedimg bus message of every stage present under the "
                + "id docs/events.md derives from its event, and no message under two ids (re-sending one under its own "
                + "id is allowed: that is how the bridge is designed to be at-least-once, and receivers deduplicate on "
                + "the id).\n\n");
        md.append(injected(sections));
        for (Path section : sections) {
            md.append(Files.readString(section).trim()).append("\n\n");
        }
        Path out = E2eConfig.projectDir().resolve("docs/reliability.md");
        Files.writeString(out, md.toString().trim() + "\n");
        System.out.println("[reliability] wrote " + out);
    }

    /**
     * The section files the suites named by failsafe's {@code -Dit.test} value must write: comma-separated class
     * names, {@code *} wildcards, an optional {@code #method}; empty (or Maven's unresolved {@code ${it.test}})
     * means every suite.
     */
    static Set<String> expectedSections(String itTest) {
        List<String> patterns = itTest.isBlank() || itTest.startsWith("${") ? List.of("*")
                : Arrays.stream(itTest.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        Set<String> expected = new TreeSet<>();
        for (String pattern : patterns) {
            String[] classAndMethod = pattern.replaceFirst("^.*[./]", "").replace(".java", "").split("#", 2);
            String classes = classAndMethod[0].replace("*", ".*");
            SECTIONS.forEach((suite, byMethod) -> {
                if (suite.matches(classes)) {
                    byMethod.forEach((method, files) -> {
                        if (classAndMethod.length == 1 || method.isEmpty()
                                || method.matches(classAndMethod[1].replace("*", ".*"))) {
                            expected.addAll(List.of(files.split(" ")));
                        }
                    });
                }
            });
        }
        return expected;
    }

    /**
     * What the joined sections injected, summed by kind over the {@code .injected} files next to them
     * ({@link ReportFragment#injected}): kills, restarts, AWS faults, bad inputs.
     */
    static String injected(List<Path> sections) throws java.io.IOException {
        Map<String, Long> total = new java.util.TreeMap<>();
        Map<String, Set<String>> where = new java.util.TreeMap<>();
        for (Path section : sections) {
            Path file = ReportFragment.injectedFile(section);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                if (f.length == 2) {
                    total.merge(f[0], Long.parseLong(f[1].trim()), Long::sum);
                    where.computeIfAbsent(f[0], k -> new TreeSet<>()).add(section.getFileName().toString()
                            .replaceFirst("\\.md$", ""));
                }
            }
        }
        if (total.isEmpty()) {
            return "Injected: nothing was recorded by the sections of this run.\n\n";
        }
        StringBuilder md = new StringBuilder("What this run injected (counted as it happened, not as planned):\n\n"
                + "| injected | count | sections |\n| --- | --- | --- |\n");
        total.forEach((kind, n) -> md.append("| ").append(kind).append(" | ").append(n).append(" | ")
                .append(String.join(", ", where.get(kind))).append(" |\n"));
        return md.append("\n").toString();
    }

    /** The commit the run tested, and whether the tree had changes on top of it. */
    static String commit() {
        String head = git("rev-parse", "HEAD");
        String dirty = git("status", "--porcelain", "--untracked-files=no");
        if (head.isEmpty()) {
            return "unknown (no git)";
        }
        return head + " (" + git("log", "-1", "--format=%cI %s", "HEAD").replace("|", "\\|") + ")"
                + (dirty.isEmpty() ? "" : " **with uncommitted changes**");
    }

    private static String git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", E2eConfig.projectDir().toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : "";
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
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
