package org.fedoraproject.fedimg.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.FedmsgPublisher;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.LocalConfig;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's benchmarks in one run, each with its baseline from the same run (docs/benchmarks.md):
 * start-up time of each service, its RSS idle and under load, per-stage event latency with zero emulator
 * delay against a Kafka hop, and images per minute through the bridge and uploader with a trivial image.
 */
class PipelineBenchmark {

    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2");
    private static final String BRIDGE = ComposeSender.BRIDGE;
    private static final String UPLOADER = "uploader-service";
    private static final String TESTER = "tester-service";
    private static final String REPLICATOR = "replicator-service";

    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int sequential = Integer.getInteger("bench.composes", 25);
    private final int flood = Integer.getInteger("bench.flood", 25);
    private final int hops = Integer.getInteger("bench.hops", 300);
    private final Duration poll = Duration.parse(System.getProperty("bench.poll", "PT0.2S"));
    private final Duration idle = Duration.parse(System.getProperty("bench.idle", "PT20S"));
    private final Path project = Path.of(System.getProperty("fedimg.project.dir", "..")).toAbsolutePath().normalize();
    private final Markdown md = new Markdown();
    private final List<LocalCompose> composes = new ArrayList<>();
    private ComposeSender sender;
    private Path work;

    @Test
    void pipeline() throws Exception {
        Pipeline.requireBuilt(project);
        work = Files.createDirectories(project.resolve("bench/target/bench/work-" + System.currentTimeMillis()));
        md.line("Run %s on %d CPUs, Java %s. Load average at start: %s", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Markdown.loadAverage());
        try (FedmsgPublisher bus = new FedmsgPublisher(KafkaBroker.freePort());
                Pipeline pipeline = new Pipeline(new Pipeline.Settings(project, Delays.zero(), REGIONS, Map.of(),
                        perService(bus.endpoint())));
                AutoCloseable servers = () -> composes.forEach(LocalCompose::close)) {
            pipeline.startInfrastructure();
            // A quota increase, as a publisher asks AWS for: each compose of the sequential run publishes 4 AMIs
            // (x86_64 and aarch64, gp3 and standard) in every region, 100 with the default 25 composes, against
            // AWS's default of 5 public AMIs per region. Nothing demotes older ones yet (issue 17).
            pipeline.emulator().quotas().set(Quota.PUBLIC_AMIS, 4L * sequential);
            try (RecordLog log = new RecordLog(pipeline.broker().bootstrapServers())) {
                sender = new ComposeSender(bus, log);
                startup(pipeline);
                Map<String, Rss.Reading> idleRss = idleRss(pipeline);
                Map<String, Long> peakSequential;
                Set<String> sequentialKeys;
                try (Rss.Sampler sampler = new Rss.Sampler(pids(pipeline, BRIDGE, UPLOADER, TESTER, REPLICATOR), 200)) {
                    sequentialKeys = sequentialRun(bus, log);
                    peakSequential = sampler.peaks();
                }
                md.line("").line("Load average after the sequential run: %s", Markdown.loadAverage());
                Map<String, Long> peakFlood = floodRun(pipeline, bus, log, log.variantsPerImage(sequentialKeys));
                rssTable(pipeline, idleRss, peakSequential, peakFlood);
                stageTable(log, sequentialKeys, pipeline.broker().bootstrapServers());
            }
        }
        md.line("").line("Load average at the end: %s", Markdown.loadAverage());
        md.write(project.resolve("bench/target/bench/results.md"));
    }

    /** Each JVM started {@code rounds} times, one at a time, spawn → /q/health/ready UP (the plain JVM: → exit). */
    private void startup(Pipeline pipeline) {
        Map<String, List<Long>> millis = new LinkedHashMap<>();
        ServiceProcess empty = Baselines.emptyQuarkus(project.resolve("bench"));
        for (int r = 0; r < rounds; r++) {
            millis.computeIfAbsent(Baselines.HELLO, k -> new ArrayList<>()).add(Baselines.helloMillis());
            millis.computeIfAbsent(Baselines.EMPTY_QUARKUS, k -> new ArrayList<>()).add(timedStart(empty));
            for (String name : Pipeline.SERVICES) {
                millis.computeIfAbsent(name, k -> new ArrayList<>()).add(timedStart(pipeline.service(name)));
            }
        }
        long emptyMedian = Percentiles.of(millis.get(Baselines.EMPTY_QUARKUS)).p50();
        md.line("").line("### Start-up (spawn → `/q/health/ready` UP; plain JVM: spawn → exit), ms").line("");
        List<String> header = new ArrayList<>(List.of("JVM"));
        for (int r = 1; r <= rounds; r++) {
            header.add("round " + r);
        }
        header.addAll(List.of("median", "median − empty Quarkus"));
        md.table(header.toArray(String[]::new));
        millis.forEach((name, values) -> {
            List<Object> row = new ArrayList<>(List.of(name));
            row.addAll(values);
            long median = Percentiles.of(values).p50();
            row.add(median);
            row.add(name.equals(Baselines.HELLO) ? "—" : String.valueOf(median - emptyMedian));
            md.row(row.toArray());
        });
        md.line("").line("Load average after start-up: %s", Markdown.loadAverage());
    }

    private static long timedStart(ServiceProcess process) {
        long start = System.nanoTime();
        process.start(Duration.ofMinutes(3));
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        process.stop();
        return elapsed;
    }

    /** All four services, the empty app and an idle plain JVM up together, read after {@code idle}. */
    private Map<String, Rss.Reading> idleRss(Pipeline pipeline) throws InterruptedException {
        ServiceProcess empty = Baselines.emptyQuarkus(project.resolve("bench")).start(Duration.ofMinutes(3));
        Process hello = Baselines.idleHello();
        try {
            pipeline.startServices();
            Thread.sleep(idle.toMillis());
            Map<String, Rss.Reading> readings = new LinkedHashMap<>();
            readings.put(Baselines.HELLO, Rss.read(hello.pid()));
            readings.put(Baselines.EMPTY_QUARKUS, Rss.read(empty.pid()));
            for (String name : Pipeline.SERVICES) {
                readings.put(name, Rss.read(pipeline.service(name).pid()));
            }
            return readings;
        } finally {
            empty.stop();
            hello.destroy();
        }
    }

    /** One compose (two images) at a time through the whole pipeline: latency without queueing. */
    private Set<String> sequentialRun(FedmsgPublisher bus, RecordLog log) {
        Set<String> all = new LinkedHashSet<>();
        for (int i = 0; i < sequential; i++) {
            LocalCompose compose = compose();
            Set<String> keys = ComposeSender.keys(compose);
            all.addAll(keys);
            sender.publish(List.of(compose));
            assertTrue(ComposeSender.await(() -> log.distinctKeys(ImagePublished.class, keys) == keys.size(), Duration.ofMinutes(3)),
                    "images of " + compose.composeId() + " not published within 3 min");
        }
        return all;
    }

    /**
     * {@code flood} composes at once into the bridge and uploader only (tester and replicator stopped): images per
     * minute to the last AMI registration. Then tester and replicator start on the backlog.
     */
    private Map<String, Long> floodRun(Pipeline pipeline, FedmsgPublisher bus, RecordLog log, int variants)
            throws Exception {
        pipeline.service(TESTER).stop();
        pipeline.service(REPLICATOR).stop();
        List<LocalCompose> batch = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            batch.add(compose());
        }
        Set<String> keys = batch.stream().flatMap(c -> ComposeSender.keys(c).stream()).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, Long> peaks = new HashMap<>();
        long start;
        Map<String, Long> uploaded;
        String loadFlood;
        Map<String, Long> callsBefore = pipeline.emulator().inspect().callCounts();
        Map<String, Long> callsAfter;
        try (Rss.Sampler sampler = new Rss.Sampler(pids(pipeline, BRIDGE, UPLOADER), 200)) {
            start = System.currentTimeMillis();
            sender.publish(batch);
            assertTrue(ComposeSender.await(() -> log.registeredImages(keys, variants).size() == keys.size(), Duration.ofMinutes(15)),
                    "flood not registered within 15 min");
            uploaded = log.registeredImages(keys, variants);
            callsAfter = pipeline.emulator().inspect().callCounts();
            loadFlood = Markdown.loadAverage();
            peaks.putAll(sampler.peaks());
        }
        long drainStart;
        long drainEnd;
        String loadDrain;
        try (Rss.Sampler sampler = new Rss.Sampler(pids(pipeline, TESTER, REPLICATOR), 200)) {
            pipeline.service(REPLICATOR).start(Duration.ofMinutes(3));
            pipeline.service(TESTER).start(Duration.ofMinutes(3));
            drainStart = System.currentTimeMillis();
            assertTrue(ComposeSender.await(() -> log.distinctKeys(ImagePublished.class, keys) == keys.size(), Duration.ofMinutes(20)),
                    "flood not published within 20 min");
            drainEnd = log.of(ImagePublished.class).stream().filter(p -> keys.contains(p.event().imageKey()))
                    .mapToLong(RecordLog.Timed::timestamp).max().orElseThrow();
            loadDrain = Markdown.loadAverage();
            peaks.putAll(sampler.peaks());
        }
        LocalCompose sample = batch.get(0);
        long floor = UploadFloor.run(pipeline.emulator().endpoint(), REGIONS.get(0),
                work.resolve(sample.release()).resolve("compose").resolve(sample.images().get(0).path()), keys.size(), 2);
        String loadFloor = Markdown.loadAverage();
        long first = uploaded.values().stream().min(Long::compare).orElseThrow();
        long last = uploaded.values().stream().max(Long::compare).orElseThrow();
        int n = keys.size();
        md.line("").line("### Throughput: %d composes (%d images of %d bytes raw.xz, %d AMI variants each) at once",
                flood, n, batch.get(0).images().get(0).size(), variants).line("");
        md.table("through", "images", "window", "images / min", "load average at the end");
        md.row("bridge + uploader (pungi messages sent → last `fedimg.amis.registered`)", n,
                (last - start) + " ms", perMinute(n, last - start), loadFlood);
        md.row("bridge + uploader, first → last image registered", n - 1, (last - first) + " ms",
                perMinute(n - 1, last - first), "");
        md.row("tester + replicator + bridge on the backlog (both ready → last image published aggregate)", n,
                (drainEnd - drainStart) + " ms", perMinute(n, drainEnd - drainStart), loadDrain);
        md.row("floor: the upload's EC2 + EBS calls only, from this JVM to the same emulator, 2 images at a time", n,
                floor + " ms", perMinute(n, floor), loadFloor);
        md.line("").line("EC2 / EBS calls per image during the flood (the uploader's; tester and replicator were stopped): %s",
                callsAfter.entrySet().stream().filter(e -> e.getValue() > callsBefore.getOrDefault(e.getKey(), 0L))
                        .map(e -> String.format("%s %.1f", e.getKey(),
                                (e.getValue() - callsBefore.getOrDefault(e.getKey(), 0L)) / (double) n))
                        .collect(Collectors.joining(", ")));
        return peaks;
    }

    private void rssTable(Pipeline pipeline, Map<String, Rss.Reading> idleRss, Map<String, Long> sequential,
            Map<String, Long> flood) {
        md.line("").line("### Resident memory (`/proc/<pid>/status`; JVMs with %s)", String.join(" ", ServiceProcess.JVM_FLAGS))
                .line("");
        md.table("JVM", "idle VmRSS", "idle VmHWM (incl. start-up)", "peak VmRSS, sequential run",
                "peak VmRSS, flood", "VmHWM at the end");
        idleRss.forEach((name, reading) -> {
            boolean service = Pipeline.SERVICES.contains(name);
            md.row(name, Markdown.mib(reading.rssKib()), Markdown.mib(reading.hwmKib()),
                    service ? Markdown.mib(sequential.getOrDefault(name, -1L)) : "—",
                    service ? Markdown.mib(flood.getOrDefault(name, -1L)) : "—",
                    service ? Markdown.mib(Rss.read(pipeline.service(name).pid()).hwmKib()) : "—");
        });
    }

    /** Stage latencies of the sequential run against one Kafka hop of the stage's input record. */
    private void stageTable(RecordLog log, Set<String> keys, String bootstrap) {
        Map<String, String> inputTopic = Map.of(StageLatencies.UPLOADER, Topics.IMAGES,
                StageLatencies.TESTER, Topics.AMIS_REGISTERED, StageLatencies.REPLICATOR, Topics.AMIS_TESTED,
                StageLatencies.BRIDGE_OUT, Topics.AMIS_PUBLISHED);
        Map<String, Percentiles> hop = new HashMap<>();
        Map<String, Integer> size = new HashMap<>();
        for (String topic : new LinkedHashSet<>(inputTopic.values())) {
            RecordLog.Rec sample = log.medianSized(topic);
            size.put(topic, sample.value().length);
            hop.put(topic, Percentiles.of(KafkaHop.measure(bootstrap, sample, hops)));
        }
        md.line("").line("### Per-stage latency, %d composes one at a time, emulator `Delays.zero()`, polls %s, ms",
                sequential, poll).line("");
        md.table("stage", "n", "p50", "p99", "max", "Kafka hop of its input (bytes): p50 / p99", "p50 − hop p50",
                "p99 − hop p99");
        Map<String, List<StageLatencies.Sample>> stages = StageLatencies.of(log, keys, sender.sentAt());
        stages.forEach((stage, samples) -> {
            Percentiles p = Percentiles.of(StageLatencies.millis(samples));
            String topic = inputTopic.get(stage);
            Percentiles h = topic == null ? null : hop.get(topic);
            md.row(stage, p.n(), p.p50(), p.p99(), p.max(),
                    h == null ? "—" : String.format("%s (%d B): %d / %d", topic, size.get(topic), h.p50(), h.p99()),
                    h == null ? "—" : p.p50() - h.p50(), h == null ? "—" : p.p99() - h.p99());
        });
        md.line("").line("Kafka hop: %d records per topic, one at a time, after 20 warm-up records. Pungi messages sent"
                + " again (the bridge had not produced the images after 5 s; left out of the bridge-in and end-to-end"
                + " rows): %d.", hops, sender.resent());
        tailTable(stages);
    }

    /**
     * The tail named: each stage's slowest samples with the position of their compose in the run (1 = the first
     * image through freshly started services), and p99 without the first compose.
     */
    private void tailTable(Map<String, List<StageLatencies.Sample>> stages) {
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < composes.size(); i++) {
            position.put(composes.get(i).composeId(), i + 1);
        }
        md.line("").line("### The tail: the slowest samples of each stage (compose position in the run), ms").line("");
        md.table("stage", "3 slowest: ms (compose #)", "p99 without compose #1", "max without compose #1");
        stages.forEach((stage, samples) -> {
            String slowest = samples.stream().sorted((a, b) -> Long.compare(b.ms(), a.ms())).limit(3)
                    .map(x -> x.ms() + " (#" + position.get(x.imageKey().substring(0, x.imageKey().indexOf('/'))) + ")")
                    .collect(Collectors.joining(", "));
            Percentiles warm = Percentiles.of(StageLatencies.millis(samples.stream()
                    .filter(x -> position.get(x.imageKey().substring(0, x.imageKey().indexOf('/'))) != 1).toList()));
            md.row(stage, slowest, warm.p99(), warm.max());
        });
    }

    private LocalCompose compose() {
        // a distinct release per compose gives distinct compose ids, image keys and AMI names
        String release = String.valueOf(100 + composes.size());
        LocalCompose compose = LocalCompose.generate(work.resolve(release), release, 1).serve();
        composes.add(compose);
        return compose;
    }

    private static Map<String, LongSupplier> pids(Pipeline pipeline, String... names) {
        Map<String, LongSupplier> pids = new LinkedHashMap<>();
        for (String name : names) {
            pids.put(name, pipeline.service(name)::pid);
        }
        return pids;
    }

    private Map<String, Map<String, String>> perService(String busEndpoint) {
        return Map.of(
                BRIDGE, ComposeSender.bridgeConfig(busEndpoint),
                UPLOADER, Map.of(),
                // with zero emulator delays, the polls are what is left of waiting; 200 ms as in the tests
                TESTER, Map.of("fedimg.tester.script-path", LocalConfig.testScript(work).toString(),
                        "fedimg.tester.timeouts.poll-interval", poll.toString()),
                REPLICATOR, Map.of("fedimg.replicator.copy.wait.delay", poll.toString(),
                        "fedimg.replicator.block-public-access.poll-delay", poll.toString()));
    }

    private static String perMinute(long images, long millis) {
        return millis <= 0 ? "—" : String.format("%.1f", images * 60_000.0 / millis);
    }
}
