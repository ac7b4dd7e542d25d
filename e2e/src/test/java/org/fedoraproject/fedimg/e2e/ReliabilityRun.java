package org.fedoraproject.fedimg.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * One reliability run: the whole pipeline as separate JVMs (as in {@link PipelineIT}), composes fed in over
 * the real RabbitMQ while a test attacks it, and the wait until every image has its final result. The bridge
 * reads a durable queue here, as in production, so compose messages sent while it is down wait for it.
 */
final class ReliabilityRun implements AutoCloseable {

    private static final int IMAGE_MIB = 8;
    /** A shared 2-core machine under load has been seen to take minutes to start a Quarkus JVM. */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(8);

    /**
     * The consumer groups' channels. A killed consumer stays a member of its group until its session times
     * out, and the restarted one waits for that: Kafka's 45 s default would make twenty kills per service
     * last most of an hour; 10 s keeps the behaviour, faster.
     */
    private static final Map<String, List<String>> CHANNELS = Map.of("bridge-fedmsg", List.of("status-in", "published-in"),
            "uploader-service", List.of("images"), "tester-service", List.of("amis-registered"),
            "replicator-service", List.of("tested"));

    final String environment = "rel" + UUID.randomUUID().toString().substring(0, 8);
    private final String queue = "fedimg-" + environment;
    private final Path work;
    private final Pipeline pipeline;
    private final List<LocalCompose> composes = new CopyOnWriteArrayList<>();
    private RabbitBus bus;
    private PipelineWatcher watcher;

    ReliabilityRun() throws Exception {
        work = Files.createTempDirectory("fedimg-reliability-");
        Map<String, Map<String, String>> perService = new HashMap<>();
        E2eConfig.perService(environment, queue, work).forEach((service, config) -> {
            Map<String, String> c = new LinkedHashMap<>(config);
            CHANNELS.get(service).forEach(channel -> {
                c.put("mp.messaging.incoming." + channel + ".session.timeout.ms", "10000");
                c.put("mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "2000");
            });
            perService.put(service, c);
        });
        perService.get("bridge-fedmsg").put("fedimg.bridge.amqp.queue-durable", "true");
        perService.get("bridge-fedmsg").put("fedimg.bridge.amqp.queue-auto-delete", "false");
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), E2eConfig.REGIONS,
                Map.of(), perService));
    }

    /** Starts everything; on failure stops what did start, since the caller never gets the run to close. */
    ReliabilityRun start() throws Exception {
        try {
            pipeline.startInfrastructure();
            // A quota increase, as a publisher asks AWS for (Fedora CoreOS has 1,000 in some regions): each
            // compose makes 4 public AMIs per region and a run sends 2 (ReliabilityIT) to dozens (the crash suite,
            // one every 20 s) of them, against AWS's default of 5. Nothing demotes older ones yet (issue 17).
            pipeline.emulator().quotas().set(Quota.PUBLIC_AMIS, 1000);
            bus = new RabbitBus(E2eConfig.RABBIT_URL, List.of("org.fedoraproject." + environment + ".fedimg.#",
                    "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
            for (String name : Pipeline.SERVICES) {
                pipeline.service(name).start(READY_TIMEOUT);
            }
            watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
            });
            return this;
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    Pipeline pipeline() {
        return pipeline;
    }

    RabbitBus bus() {
        return bus;
    }

    PipelineWatcher watcher() {
        return watcher;
    }

    List<LocalCompose> composes() {
        return List.copyOf(composes);
    }

    /** Generates compose number {@code n} (release {@code 100 + n}), serves it and sends its FINISHED message. */
    LocalCompose publishCompose(int n) throws Exception {
        LocalCompose compose = LocalCompose.generate(Files.createDirectories(work.resolve("compose-" + n)),
                String.valueOf(100 + n), IMAGE_MIB).serve();
        composes.add(compose);
        bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change", compose.finishedMessageBody());
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

    /** The durable queue outlives the bridge: remove it so runs leave nothing on the machine's RabbitMQ. */
    private void deleteQueue() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(E2eConfig.RABBIT_URL);
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDelete(queue);
        }
    }
}
