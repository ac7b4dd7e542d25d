package org.fedoraproject.fedimg.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.FedmsgPublisher;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.LocalConfig;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, goal 1: the critical path. One compose (x86_64 and aarch64, each registered as gp3 and standard, and
 * their encrypted twins with {@code -Dbench.encrypted=true}) at a time through the whole pipeline: Kafka, the
 * emulator with a delays profile ({@code -Dbench.delays=fast|realistic}, the bash instance backend, so a test boot
 * is the emulator's delays and not QEMU), the four services with their {@code %local} settings (no poll interval
 * set by the bench: the profile's own are measured). Wall time from the pungi FINISHED message to the last
 * region's {@code fedimg.amis.published} record (CreateTime), against the {@link AwsFloor} of the same delays.
 * Each run prints its chain per AMI; the table reports the median and range of all runs, never the best one.
 */
class CriticalPathBenchmark {

    private static final String UPLOADER = "uploader-service";
    private static final String TESTER = "tester-service";
    private static final String REPLICATOR = "replicator-service";
    /** The describe calls the waiting services poll with: their count per run shows what the polling costs. */
    private static final List<String> POLL_CALLS = List.of("DescribeSnapshots", "DescribeImages", "DescribeInstances",
            "DescribeInstanceStatus", "GetConsoleOutput");
    private static final String DEFAULT_REGIONS = "us-east-1,us-west-2,eu-west-1,ap-southeast-2";

    private final String delaysName = System.getProperty("bench.delays", "fast");
    private final int runs = Integer.getInteger("bench.runs", 5);
    private final boolean encrypted = Boolean.getBoolean("bench.encrypted");
    private final List<String> regions = Arrays.asList(System.getProperty("bench.regions", DEFAULT_REGIONS).split(","));
    private final Path project = Path.of(System.getProperty("fedimg.project.dir", "..")).toAbsolutePath().normalize();
    private final Markdown md = new Markdown();

    /** One AMI's chain in one run, in ms after the compose message. */
    private record Chain(String ami, String image, long registered, long tested, long firstPublic, long lastPublic) {
    }

    /** One run: wall, the critical chain, the losses per segment against the floor's terms. */
    private record Run(long wall, Chain critical, long uploadLoss, long testLoss, long copyLoss, long siblingTestSpread,
            long siblingRegisterSpread, String loadStart, String loadEnd) {
    }

    @Test
    void criticalPath() throws Exception {
        Pipeline.requireBuilt(project);
        Delays delays = Delays.named(delaysName);
        AwsFloor floor = AwsFloor.of(delays, encrypted, regions.size());
        Path work = Files.createDirectories(project.resolve("bench/target/bench/critical-" + System.currentTimeMillis()));
        String startLoad = Markdown.loadAverage();
        md.line("### Critical path: compose message → last region public, against the AWS floor (issue 20, goal 1)")
                .line("")
                .line("Command: `%s`", command())
                .line("Started %s, commit %s, %d CPUs, Java %s, load average at start: %s", Instant.now(), commit(),
                        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), startLoad)
                .line("Delays `%s`, bash instance backend, %d regions (%s), variants gp3 + standard%s, images x86_64 + "
                        + "aarch64 (1 MiB of disk each), services with their `%%local` settings.", delaysName,
                        regions.size(), String.join(", ", regions), encrypted ? " + their encrypted twins" : "")
                .line("Floor (%s): %s", floor.chain(), floor.written()).line("");
        List<Run> results = new ArrayList<>();
        try (FedmsgPublisher bus = new FedmsgPublisher(KafkaBroker.freePort());
                Pipeline pipeline = new Pipeline(new Pipeline.Settings(project, delays, regions, Map.of(),
                        perService(bus.endpoint(), work)));
                RunComposes composes = new RunComposes(work)) {
            pipeline.startInfrastructure();
            // every run's unencrypted AMIs stay public: no demotion on the measured path
            pipeline.emulator().quotas().set(Quota.PUBLIC_AMIS, 8L * runs + 8);
            pipeline.startServices();
            try (RecordLog log = new RecordLog(pipeline.broker().bootstrapServers())) {
                ComposeSender sender = new ComposeSender(bus, log);
                for (int i = 1; i <= runs; i++) {
                    results.add(run(i, pipeline, log, sender, composes.next(), floor));
                }
            }
        }
        summary(results, floor, startLoad);
        md.write(project.resolve("bench/target/bench/critical-path-" + delaysName + (encrypted ? "-encrypted" : "")
                + ".md"));
    }

    private Run run(int n, Pipeline pipeline, RecordLog log, ComposeSender sender, LocalCompose compose, AwsFloor floor) {
        Set<String> keys = ComposeSender.keys(compose);
        int variants = encrypted ? 4 : 2;
        String loadStart = Markdown.loadAverage();
        SortedMap<String, Long> callsBefore = pipeline.emulator().inspect().callCounts();
        sender.publish(List.of(compose));
        long t0 = sender.firstSent(compose.composeId());
        Duration timeout = Duration.ofMillis(Math.max(Duration.ofMinutes(3).toMillis(), 5 * floor.millis()));
        assertTrue(ComposeSender.await(() -> chains(log, keys, t0).size() == keys.size() * variants
                && chains(log, keys, t0).stream().allMatch(c -> c.lastPublic() >= 0), timeout),
                "run " + n + ": not every AMI public in every region within " + timeout + ": " + chains(log, keys, t0));
        // the last region's record may still be on its way to the log
        ComposeSender.await(() -> false, Duration.ofMillis(500));
        List<Chain> chains = chains(log, keys, t0);
        String loadEnd = Markdown.loadAverage();
        SortedMap<String, Long> callsAfter = pipeline.emulator().inspect().callCounts();
        Chain critical = chains.stream().max(Comparator.comparingLong(Chain::lastPublic)).orElseThrow();
        long uploadFloor = termsMillis(floor, "snapshot", "image available", "encrypted twin");
        long testFloor = termsMillis(floor, "test boot", "test script");
        long copyFloor = termsMillis(floor, "region copy", "publish");
        Run run = new Run(critical.lastPublic(), critical, critical.registered() - uploadFloor,
                critical.tested() - critical.registered() - testFloor,
                critical.lastPublic() - critical.tested() - copyFloor,
                spread(chains, Chain::tested), spread(chains, Chain::registered), loadStart, loadEnd);
        md.line("#### Run %d: %s, wall %s, floor %s, ratio %.3f; longest chain: %s%s", n, compose.composeId(),
                AwsFloor.seconds(run.wall()), AwsFloor.seconds(floor.millis()), run.wall() / (double) floor.millis(),
                critical.ami(), sender.wasResent(compose.composeId()) ? " (message sent again: the bus had not joined)" : "")
                .line("");
        md.table("AMI", "registered", "tested", "first region public", "last region public");
        chains.stream().sorted(Comparator.comparingLong(Chain::lastPublic)).forEach(c -> md.row(c.ami(),
                AwsFloor.seconds(c.registered()), AwsFloor.seconds(c.tested()), AwsFloor.seconds(c.firstPublic()),
                AwsFloor.seconds(c.lastPublic())));
        md.line("").line("Longest chain against the floor's terms: compose → registered %s (floor %s, lost %s); "
                + "registered → tested %s (floor %s, lost %s); tested → last region public %s (floor %s, lost %s). "
                + "Sibling spread (all AMIs of the compose): registered %s, tested %s. Load %s → %s.",
                AwsFloor.seconds(critical.registered()), AwsFloor.seconds(uploadFloor), AwsFloor.seconds(run.uploadLoss()),
                AwsFloor.seconds(critical.tested() - critical.registered()), AwsFloor.seconds(testFloor),
                AwsFloor.seconds(run.testLoss()), AwsFloor.seconds(critical.lastPublic() - critical.tested()),
                AwsFloor.seconds(copyFloor), AwsFloor.seconds(run.copyLoss()),
                AwsFloor.seconds(run.siblingRegisterSpread()), AwsFloor.seconds(run.siblingTestSpread()), loadStart, loadEnd);
        md.line("Polls (emulator calls during the run): %s", POLL_CALLS.stream()
                .map(a -> a + " " + (callsAfter.getOrDefault(a, 0L) - callsBefore.getOrDefault(a, 0L)))
                .collect(Collectors.joining(", "))).line("");
        return run;
    }

    /** Every registered AMI of {@code keys} with its chain so far (-1: not yet). */
    private List<Chain> chains(RecordLog log, Set<String> keys, long t0) {
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, Long> registered = new HashMap<>();
        for (var r : log.of(AmiRegistered.class)) {
            if (keys.contains(r.event().imageKey())) {
                String ami = r.event().ami().amiId();
                names.putIfAbsent(ami, r.event().image().arch() + " " + r.event().ami().variant().slug());
                registered.putIfAbsent(ami, r.timestamp());
            }
        }
        Map<String, Long> tested = new HashMap<>();
        for (var t : log.of(AmiTested.class)) {
            tested.putIfAbsent(t.event().ami().amiId(), t.timestamp());
        }
        Map<String, Map<String, Long>> published = new HashMap<>();
        for (var p : log.of(AmiPublished.class)) {
            if (keys.contains(p.event().imageKey()) && p.event().outcome() != RegionOutcome.FAILED) {
                published.computeIfAbsent(p.event().sourceAmi().amiId(), k -> new HashMap<>())
                        .putIfAbsent(p.event().region(), p.timestamp());
            }
        }
        List<Chain> chains = new ArrayList<>();
        names.forEach((ami, name) -> {
            Map<String, Long> byRegion = published.getOrDefault(ami, Map.of());
            boolean all = byRegion.keySet().containsAll(regions);
            long first = byRegion.values().stream().mapToLong(Long::longValue).min().orElse(t0 - 1);
            long last = all ? byRegion.values().stream().mapToLong(Long::longValue).max().orElseThrow() : t0 - 1;
            chains.add(new Chain(name, ami, registered.get(ami) - t0, tested.getOrDefault(ami, t0 - 1) - t0,
                    first - t0, last - t0));
        });
        return chains;
    }

    private static long spread(List<Chain> chains, java.util.function.ToLongFunction<Chain> at) {
        return chains.stream().mapToLong(at).max().orElse(0) - chains.stream().mapToLong(at).min().orElse(0);
    }

    private static long termsMillis(AwsFloor floor, String... prefixes) {
        return floor.terms().stream().filter(t -> Arrays.stream(prefixes).anyMatch(t.name()::startsWith))
                .mapToLong(t -> t.delay().toMillis()).sum();
    }

    private void summary(List<Run> results, AwsFloor floor, String startLoad) {
        md.line("#### Summary: %d runs, median (range) of all of them", results.size()).line("");
        md.table("delays", "variants", "runs", "wall", "floor", "wall / floor", "lost: compose → registered",
                "lost: registered → tested", "lost: tested → last public", "load start → end", "commit");
        md.row(delaysName, encrypted ? "gp3, standard + encrypted twins" : "gp3, standard", results.size(),
                medianRange(results, Run::wall), AwsFloor.seconds(floor.millis()),
                ratio(results.stream().map(r -> r.wall() / (double) floor.millis()).sorted().toList()),
                medianRange(results, Run::uploadLoss), medianRange(results, Run::testLoss),
                medianRange(results, Run::copyLoss), startLoad + " → " + Markdown.loadAverage(), commit());
    }

    private static String medianRange(List<Run> results, java.util.function.ToLongFunction<Run> f) {
        List<Long> values = results.stream().map(r -> f.applyAsLong(r)).sorted().toList();
        return String.format("%s (%s – %s)", AwsFloor.seconds(Percentiles.of(values).p50()),
                AwsFloor.seconds(values.get(0)), AwsFloor.seconds(values.get(values.size() - 1)));
    }

    private static String ratio(List<Double> sorted) {
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return String.format("**%.3f** (%.3f – %.3f)", median, sorted.get(0), sorted.get(sorted.size() - 1));
    }

    private Map<String, Map<String, String>> perService(String busEndpoint, Path work) {
        Map<String, String> uploader = new HashMap<>();
        Map<String, String> replicator = new HashMap<>();
        if (encrypted) {
            // as EncryptedVariantsTest and the replicator's %test profile: a key per region, shared with an account
            uploader.put("fedimg.uploader.registration.encryption.kms-key-id",
                    "arn:aws:kms:" + regions.get(0) + ":123456789012:key/fedimg-bench");
            uploader.put("fedimg.uploader.registration.encryption.share-with-accounts", "111122223333");
            for (String region : regions.subList(1, regions.size())) {
                replicator.put("fedimg.replicator.encrypted.kms-keys.\"" + region + "\"", "alias/fedimg-" + region);
            }
            replicator.put("fedimg.replicator.encrypted.share-with-accounts", "111122223333");
        }
        return Map.of(
                ComposeSender.BRIDGE, ComposeSender.bridgeConfig(busEndpoint),
                UPLOADER, uploader,
                TESTER, Map.of("fedimg.tester.script-path", LocalConfig.testScript(work).toString()),
                REPLICATOR, replicator);
    }

    private String command() {
        return "./mvnw -B -ntp -Pbench -pl bench -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dit.test=CriticalPathBenchmark -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.delays=" + delaysName
                + " -Dbench.runs=" + runs + (encrypted ? " -Dbench.encrypted=true" : "")
                + (String.join(",", regions).equals(DEFAULT_REGIONS) ? "" : " -Dbench.regions=" + String.join(",", regions));
    }

    private String commit() {
        try {
            Process git = new ProcessBuilder("git", "-C", project.toString(), "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** A fresh compose per run: a distinct release gives distinct compose ids, image keys and AMI names. */
    private static final class RunComposes implements AutoCloseable {
        private final Path work;
        private final List<LocalCompose> served = new ArrayList<>();

        RunComposes(Path work) {
            this.work = work;
        }

        LocalCompose next() {
            String release = String.valueOf(200 + served.size());
            LocalCompose compose = LocalCompose.generate(work.resolve(release), release, 1).serve();
            served.add(compose);
            return compose;
        }

        @Override
        public void close() {
            served.forEach(LocalCompose::close);
        }
    }
}
