package org.fedoraproject.fedimg.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * One reliability run: the whole pipeline as separate JVMs (as in {@link PipelineIT}), composes fed in over
 * AMQP while a test attacks it, and the wait until every image has its final result. The bridge reads a durable
 * queue here, as in production, so compose messages sent while it is down wait for it. A service may run as
 * several replicas in the same consumer groups ({@link #replicas}), each its own process the attacks can kill.
 * What the run configures (AMI matrix, regions, the tester's instance limit) is what {@link Audit} expects.
 */
final class ReliabilityRun implements AutoCloseable {

    private static final int IMAGE_MIB = 8;
    /** A shared 2-core machine under load has been seen to take minutes to start a Quarkus JVM. */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(8);
    /** The AMI matrix every run configures: virtualization types × root volume types (docs/events.md's slugs). */
    static final List<String> VIRTUALIZATION_TYPES = List.of("hvm");
    static final List<String> VOLUME_TYPES = List.of("gp3", "standard");
    /** Test instances per region, the tester's {@code max-concurrent-per-region}: low, so a run reaches it. */
    static final int TEST_INSTANCE_LIMIT = 2;
    /**
     * Partitions of every topic, as deploy/k8s/kafka/topics.yaml creates them. With the test broker's 4, a second
     * replica of a service running 4 consumers (channel concurrency) gets no partition until the first one dies.
     */
    private static final String ACCESS_KEY = "fedimg.aws.static-credentials.access-key-id";
    private static final KafkaBroker.Settings BROKER = new KafkaBroker.Settings(Duration.ZERO, 12);

    /**
     * The consumer groups' channels. A killed consumer stays a member of its group until its session times
     * out, and the restarted one waits for that: Kafka's 45 s default would make twenty kills per service
     * last most of an hour; 10 s keeps the behaviour, faster.
     */
    private static final Map<String, List<String>> CHANNELS = Map.of("bridge-fedmsg", List.of("status-in", "published-in"),
            "uploader-service", List.of("images"), "tester-service", List.of("amis-registered"),
            "replicator-service", List.of("tested"));

    /**
     * A process of the run: service name and replica number (1, 2, ...), e.g. {@code tester-service#2}. Each signs
     * its AWS calls with an access key of its own ({@link #accessKey}), so the emulator can tell which process made
     * a call ({@link CrashPoints}).
     */
    record Replica(String service, int number, ServiceProcess process) {
        String label() {
            return service + "#" + number;
        }

        String accessKey() {
            return accessKey(service, number);
        }

        static String accessKey(String service, int number) {
            return "AKIDE2E" + service.replace("-service", "").replace("-", "").toUpperCase(java.util.Locale.ROOT) + number;
        }
    }

    final String environment = "rel" + UUID.randomUUID().toString().substring(0, 8);
    private final String queue = "fedimg-" + environment;
    private final String amqpUrl;
    private final Map<String, Integer> replicaCounts;
    private final Path work;
    private final Pipeline pipeline;
    private final List<Replica> replicas = new ArrayList<>();
    private final List<LocalCompose> composes = new CopyOnWriteArrayList<>();
    private final Map<String, String> messageIds = new ConcurrentHashMap<>();
    private RabbitBus bus;
    private PipelineWatcher watcher;
    private TestInstanceSampler sampler;
    /** Also told of every event the watcher decodes (a crash point waiting for a service's output). */
    private volatile java.util.function.Consumer<org.fedoraproject.fedimg.events.FedimgEvent> onEvent = e -> {
    };

    /** One process per service, on the e2e suite's AMQP broker, tests of a moment. */
    ReliabilityRun() throws Exception {
        this(Map.of(), E2eConfig.amqpUrl(), Duration.ZERO);
    }

    /**
     * @param replicaCounts processes per service (1 where absent)
     * @param amqpUrl       the bus (a broker a suite restarts can be given here)
     * @param testTakes     how long the AMI test script runs: long enough, and tests are in flight when a tester
     *                      dies and more AMIs wait than the tester's limit lets run
     */
    ReliabilityRun(Map<String, Integer> replicaCounts, String amqpUrl, Duration testTakes) throws Exception {
        this(replicaCounts, amqpUrl, testTakes, Map.of());
    }

    /** @param extra configuration keys per service, over the run's own (e.g. a deprecation policy) */
    ReliabilityRun(Map<String, Integer> replicaCounts, String amqpUrl, Duration testTakes,
            Map<String, Map<String, String>> extra) throws Exception {
        this.replicaCounts = Map.copyOf(replicaCounts);
        this.amqpUrl = amqpUrl;
        work = Files.createTempDirectory("fedimg-reliability-");
        Map<String, Map<String, String>> perService = new HashMap<>();
        E2eConfig.perService(environment, queue, work).forEach((service, config) -> {
            Map<String, String> c = new LinkedHashMap<>(config);
            CHANNELS.get(service).forEach(channel -> {
                c.put("mp.messaging.incoming." + channel + ".session.timeout.ms", "10000");
                c.put("mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "2000");
            });
            c.put(ACCESS_KEY, Replica.accessKey(service, 1));
            perService.put(service, c);
        });
        Map<String, String> bridge = perService.get("bridge-fedmsg");
        bridge.put("fedimg.bridge.amqp.url", amqpUrl);
        bridge.put("fedimg.bridge.amqp.queue-durable", "true");
        bridge.put("fedimg.bridge.amqp.queue-auto-delete", "false");
        perService.get("uploader-service").put("fedimg.uploader.registration.virtualization-types",
                String.join(",", VIRTUALIZATION_TYPES));
        perService.get("uploader-service").put("fedimg.uploader.registration.volume-types", String.join(",", VOLUME_TYPES));
        Map<String, String> tester = perService.get("tester-service");
        tester.put("fedimg.tester.max-concurrent-per-region", String.valueOf(TEST_INSTANCE_LIMIT));
        if (!testTakes.isZero()) {
            Path script = work.resolve("test-ami-slow.sh");
            Files.writeString(script, "#!/bin/bash\nsleep " + testTakes.toSeconds() + "\necho 'fedimg e2e test: ok'\n");
            tester.put("fedimg.tester.script-path", script.toString());
        }
        extra.forEach((service, keys) -> perService.get(service).putAll(keys));
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), E2eConfig.REGIONS,
                Map.of(), perService));
    }

    /** Starts everything; on failure stops what did start, since the caller never gets the run to close. */
    ReliabilityRun start() throws Exception {
        try {
            pipeline.startInfrastructure(BROKER);
            // A quota increase, as a publisher asks AWS for (Fedora CoreOS has 1,000 in some regions): each
            // compose makes 4 public AMIs per region and a run sends 2 (ReliabilityIT) to dozens (the crash suite,
            // one every 20 s) of them, against AWS's default of 5. Nothing demotes older ones yet (issue 17).
            pipeline.emulator().quotas().set(Quota.PUBLIC_AMIS, 1000);
            bus = new RabbitBus(amqpUrl, List.of("org.fedoraproject." + environment + ".fedimg.#",
                    "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
            for (String name : Pipeline.SERVICES) {
                replicas.add(new Replica(name, 1, pipeline.service(name)));
                for (int n = 2; n <= replicaCounts.getOrDefault(name, 1); n++) {
                    replicas.add(new Replica(name, n, pipeline.replica(name, Map.of(ACCESS_KEY, Replica.accessKey(name, n)))));
                }
            }
            for (Replica r : replicas) {
                r.process().start(READY_TIMEOUT);
            }
            watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> onEvent.accept(e));
            sampler = new TestInstanceSampler(pipeline.emulator().inspect(), E2eConfig.REGIONS);
            return this;
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** The replica counts deploy/k8s/overlays/production/kustomization.yaml deploys, per service. */
    static Map<String, Integer> deployedReplicas() throws java.io.IOException {
        Path file = E2eConfig.projectDir().resolve("deploy/k8s/overlays/production/kustomization.yaml");
        Map<String, Integer> counts = new java.util.TreeMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("- name: (\\S+)\\s*\\n\\s*count: (\\d+)")
                .matcher(Files.readString(file));
        while (m.find()) {
            counts.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        if (!counts.keySet().containsAll(Pipeline.SERVICES)) {
            throw new IllegalStateException(file + " gives no replica count for some of " + Pipeline.SERVICES + ": " + counts);
        }
        return counts;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    /** Every service process, the replicas of a service in order. */
    List<Replica> replicas() {
        return List.copyOf(replicas);
    }

    /** "service: n" per service, for the report. */
    String replicaSummary() {
        return replicas.stream().collect(Collectors.groupingBy(Replica::service, java.util.TreeMap::new,
                Collectors.counting())).toString().replaceAll("[{}]", "").replace("=", ": ");
    }

    /** The process signing its AWS calls with this access key, if it is one of the run's. */
    Optional<Replica> replicaByAccessKey(String accessKey) {
        return replicas.stream().filter(r -> r.accessKey().equals(accessKey)).findFirst();
    }

    /** Sets what is told of every event the watcher decodes, in the watcher's thread. */
    void onEvent(java.util.function.Consumer<org.fedoraproject.fedimg.events.FedimgEvent> listener) {
        onEvent = listener;
    }

    /** Compose ids published whose images do not all have their aggregate yet. */
    Set<String> composesInFlight() {
        Set<String> done = aggregates().keySet();
        return composes.stream().filter(c -> !c.images().stream().allMatch(i -> done.contains(ImageKeys.of(c.composeId(),
                i.fileName())))).map(LocalCompose::composeId).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    RabbitBus bus() {
        return bus;
    }

    PipelineWatcher watcher() {
        return watcher;
    }

    TestInstanceSampler instances() {
        return sampler;
    }

    List<LocalCompose> composes() {
        return List.copyOf(composes);
    }

    /** The configured AMI matrix as variant slugs ({@code hvm-gp3}). */
    List<String> variants() {
        return VIRTUALIZATION_TYPES.stream().flatMap(v -> VOLUME_TYPES.stream().map(t -> v + "-" + t)).toList();
    }

    /** The AMQP message id of the FINISHED message that announced a compose. */
    String messageId(String composeId) {
        return messageIds.get(composeId);
    }

    /** Generates compose number {@code n} (release {@code 100 + n}), serves it and sends its FINISHED message. */
    LocalCompose publishCompose(int n) throws Exception {
        LocalCompose compose = LocalCompose.generate(Files.createDirectories(work.resolve("compose-" + n)),
                String.valueOf(100 + n), IMAGE_MIB).serve();
        composes.add(compose);
        messageIds.put(compose.composeId(), bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change",
                compose.finishedMessageBody()));
        return compose;
    }

    Set<String> imageKeys() {
        return composes.stream().flatMap(c -> c.images().stream().map(i -> ImageKeys.of(c.composeId(), i.fileName())))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The latest aggregate of each image. */
    Map<String, ImagePublished> aggregates() {
        Map<String, ImagePublished> latest = new java.util.TreeMap<>();
        watcher.seen(ImagePublished.class).forEach(a -> latest.put(a.imageKey(), a));
        return latest;
    }

    /**
     * Waits until every image has its aggregate and, where one is due, its successor message on the bus, then
     * until the bus and the topics have been quiet for a while (late re-sends after a restart included).
     */
    void awaitSettled(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!settled()) {
            if (Instant.now().isAfter(deadline)) {
                Set<String> open = new java.util.TreeSet<>(imageKeys());
                open.removeAll(aggregates().keySet());
                throw new AssertionError("not settled after " + timeout + "; images without a result: " + open
                        + "; successor messages: " + successorCount());
            }
            Thread.sleep(1000);
        }
        awaitQuiet(() -> bus.received().size() + watcher.seen().size(), Duration.ofSeconds(10), deadline);
    }

    private boolean settled() {
        Map<String, ImagePublished> latest = aggregates();
        if (!latest.keySet().containsAll(imageKeys())) {
            return false;
        }
        long due = latest.values().stream()
                .filter(a -> a.outcome() == ImageOutcome.COMPLETE || a.outcome() == ImageOutcome.PARTIAL).count();
        return successorCount() >= due;
    }

    private long successorCount() {
        return bus.received().stream().filter(m -> m.routingKey().contains(".fedora_image_uploader.published."))
                .map(RabbitBus.Received::messageId).distinct().count();
    }

    private static void awaitQuiet(IntSupplier count, Duration quiet, Instant deadline) throws InterruptedException {
        int last = -1;
        Instant since = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            int now = count.getAsInt();
            if (now != last) {
                last = now;
                since = Instant.now();
            } else if (Duration.between(since, Instant.now()).compareTo(quiet) >= 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the pipeline did not go quiet");
    }

    @Override
    public void close() {
        Optional.ofNullable(sampler).ifPresent(TestInstanceSampler::close);
        Optional.ofNullable(watcher).ifPresent(PipelineWatcher::close);
        pipeline.close();
        composes.forEach(LocalCompose::close);
        try {
            deleteQueue();
            if (bus != null) {
                bus.close();
            }
        } catch (Exception e) {
            System.err.println("[reliability] cleanup of the bus failed: " + e);
        }
    }

    /** The durable queue outlives the bridge: remove it so runs leave nothing on the broker. */
    private void deleteQueue() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUrl);
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDelete(queue);
        }
    }
}
