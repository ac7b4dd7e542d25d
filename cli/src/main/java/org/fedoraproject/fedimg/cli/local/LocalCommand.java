package org.fedoraproject.fedimg.cli.local;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.QemuHost;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedimg local}: the whole pipeline on this machine, fed by a pungi FINISHED message for a compose
 * (generated here, or a real one), followed stage by stage until the AMIs are public in every region, and then
 * every later compose too until Ctrl-C.
 */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Kafka, the AWS emulator and the four services on this machine, announce one compose on the bus"
                + " and follow it through the pipeline: every stage and dead letter as it happens, then the table of region,"
                + " AMI and public, and each image's test verdict with the console's last lines. It then keeps running and"
                + " keeps printing, for composes that arrive later too, until Ctrl-C, which stops everything it started.",
                "Settings: every key of --config wins over local mode's own. The services get their settings in a file only"
                + " this user can read, never on their command lines.",
                "Topics: <prefix>.<environment>.*, with the run's own environment (local-<id>, printed at start) unless"
                + " --config sets fedimg.bridge.environment; runs that share an AMQP broker never see each other."})
public final class LocalCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** With --exit: the bridge sends the successor's message just after an image is published. */
    private static final Duration SUCCESSOR_WAIT = Duration.ofSeconds(30);

    @Option(names = "--compose", paramLabel = "URL|DIR",
            description = "A real compose instead of a generated one: a compose directory (holding compose/metadata/images.json),"
                    + " which local mode serves over HTTP, or the http(s) URL of one, which the services fetch from.")
    String composeSource;

    @Option(names = "--bus", paramLabel = "fedmsg|amqp|URL", defaultValue = "fedmsg",
            description = "The bus the compose is announced on and the bridge listens and publishes on: fedmsg (ZeroMQ"
                    + " sockets of this run), amqp (the broker of --config's fedimg.bridge.amqp.url, else this machine's"
                    + " RabbitMQ at 127.0.0.1:5672 as guest), or an amqp:// URL without a password (default: ${DEFAULT-VALUE}).")
    String bus;

    @Option(names = "--delays", defaultValue = "realistic",
            description = "Emulator life-cycle delays: realistic, fast or zero (default: ${DEFAULT-VALUE}).")
    String delays;

    @Option(names = "--instance-backend", paramLabel = "bash|qemu",
            description = "How the emulator boots test instances: qemu boots each AMI's own disk in a virtual machine, and"
                    + " the generated compose holds bootable images (test-images/build.sh); bash runs the test's user-data"
                    + " on this machine. Default: qemu where QEMU is installed (packages qemu-system-x86 qemu-system-arm"
                    + " qemu-utils ovmf qemu-efi-aarch64 busybox-static), else bash, with the reason printed.")
    String instanceBackend;

    @Option(names = "--aws", description = "Target real AWS (standard credential chain) instead of the emulator.")
    boolean aws;

    @Option(names = "--config", description = "A properties file with settings for every service (with --aws: regions,"
            + " subnets, KMS keys...); its keys win over local mode's own.")
    Path configFile;

    @Option(names = "--rawhide-release", paramLabel = "N",
            description = "The release number successor messages (fedora_image_uploader.published, whose release is a number)"
                    + " give Rawhide images. Default: " + RawhideRelease.CONFIG_KEY + " in --config, else the version of the"
                    + " fedora-release package in the compose's metadata/rpms.json; without one, Rawhide images get no"
                    + " successor message.")
    Integer rawhideRelease;

    @Option(names = "--image-mib", defaultValue = "64", description = "Size of each generated disk image (default: ${DEFAULT-VALUE} MiB).")
    int imageMiB;

    @Option(names = "--release", defaultValue = "43", description = "Fedora release of the generated compose (default: ${DEFAULT-VALUE}).")
    String release;

    @Option(names = "--timeout", defaultValue = "PT45M", description = "Give up on the compose after this long (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--exit", description = "Exit once the compose's table is printed (status 0 if every image was"
            + " published, 1 if not), instead of staying up until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--keep-runs", defaultValue = "5", paramLabel = "N",
            description = "Runs kept in the work directory, this one included; older ones are removed at start"
                    + " (default: ${DEFAULT-VALUE}).")
    int keepRuns;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where each run keeps its generated compose and test script (default: local-run/ in the checkout).")
    Path workDir;

    @Option(names = "--project-dir", description = "The fedimg checkout (default: found from this jar).")
    Path projectDir;

    private final PrintStream out;

    public LocalCommand() {
        this(System.out);
    }

    /** Prints to {@code out}: the end-to-end test reads what a user would see. */
    public LocalCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Path root = projectDir != null ? projectDir : ProjectDir.find();
        Pipeline.requireBuilt(root);
        Map<String, String> userConfig = userConfig();
        long start = System.currentTimeMillis();
        Path runs = workDir != null ? workDir : root.resolve("local-run");
        RunDirectories.Created run = new RunDirectories(runs, keepRuns).create(start);
        if (!run.removed().isEmpty()) {
            step("removed %d earlier runs from %s (--keep-runs %d)", run.removed().size(), runs, keepRuns);
        }
        LocalBus.Topics topics = LocalConfig.topics(userConfig, "local-" + Long.toString(start, 36));
        InstanceBackend backend = aws ? InstanceBackend.BASH : chooseBackend(root);
        Map<String, Path> bootable = backend == InstanceBackend.QEMU && composeSource == null ? bootableImages() : Map.of();
        if (backend == InstanceBackend.QEMU && composeSource == null && bootable.isEmpty()) {
            backend = InstanceBackend.BASH;
        }
        if (!aws) {
            step("instance backend: %s", backend == InstanceBackend.QEMU
                    ? "qemu (each test instance boots its AMI's disk in a virtual machine)"
                    : "bash (test instances run their user-data on this machine; nothing boots)");
        }
        try (ComposeSource compose = compose(run.dir(), bootable); LocalBus localBus = LocalBus.open(bus, userConfig)) {
            step("compose %s (release %s): %s", compose.metadata().composeId(), compose.metadata().release(),
                    compose.describe());
            step("the bridge and the uploader fetch the compose's metadata and images from %s%s",
                    String.join(", ", compose.fetchedFrom()), compose instanceof RemoteCompose
                            ? " (host " + URI.create(compose.location()).getHost() + ", and wherever it redirects)" : "");
            step("environment %s: topics %s.%s.*", topics.environment(), topics.prefix(), topics.environment());
            step("bus: %s", localBus.describe());
            RawhideRelease rawhide = RawhideRelease.resolve(rawhideRelease, userConfig, compose);
            if (rawhide.number().isPresent() || !compose.metadata().releaseIsNumeric()) {
                step("Rawhide's release number for successor messages: %s (%s)",
                        rawhide.number().map(String::valueOf).orElse("none, so Rawhide images get no successor message;"
                                + " give --rawhide-release N"), rawhide.source());
            }
            Map<String, Map<String, String>> services = LocalConfig.withUserConfig(LocalConfig.defaults(
                    localBus.bridgeConfig(topics), topics, LocalConfig.testScript(run.dir()), rawhide.number(), aws),
                    userConfig);
            return run(new Pipeline(new Pipeline.Settings(root, aws ? null : Delays.named(delays), List.of(), Map.of(),
                    services, backend)), compose, localBus, topics,
                    compose.metadata().releaseIsNumeric() || rawhide.number().isPresent());
        }
    }

    private int run(Pipeline pipeline, ComposeSource compose, LocalBus localBus, LocalBus.Topics topics,
            boolean successorExpected) throws Exception {
        AtomicReference<PipelineWatcher> following = new AtomicReference<>();
        Thread stop = new Thread(() -> {
            out.println("\nstopping services, emulator and Kafka...");
            // the watcher first: a Kafka consumer left polling a stopped broker prints a WARN line every second
            PipelineWatcher w = following.getAndSet(null);
            if (w != null) {
                w.close();
            }
            pipeline.close();
        }, "fedimg-local-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            step("starting Kafka%s", aws ? "" : " and the AWS emulator (" + delays + " delays)");
            pipeline.startInfrastructure();
            if (pipeline.emulator() != null) {
                step("AWS emulator at %s", pipeline.emulator().endpoint());
            }
            step("starting %s", String.join(", ", Pipeline.SERVICES));
            pipeline.startServices();
            pipeline.services().forEach(s -> step("  %-19s %s (log %s)", s.name(), s.baseUri(), s.log()));
            URI endpoint = pipeline.emulator() == null ? null : pipeline.emulator().endpoint();
            try (AwsClients awsClients = new AwsClients(AwsConfig.of("us-east-1", endpoint), new AwsCallMetrics(new SimpleMeterRegistry()))) {
                RunReport report = new RunReport(out, new PublicityCheck(awsClients)::isPublic);
                try (PipelineWatcher watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), report::event)) {
                    following.set(watcher);
                    localBus.listen(topics, report::busMessage);
                    Integer status = follow(compose, localBus, topics, report, successorExpected);
                    if (status != null) {
                        return status;
                    }
                    out.println("The pipeline keeps running and this keeps printing. AMI catalogue: "
                            + pipeline.service("replicator-service").baseUri() + "/amis   Press Ctrl-C to stop.");
                    Thread.currentThread().join();
                    return 0;
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
                out.println("stopping services, emulator and Kafka...");
                pipeline.close();
            } catch (IllegalStateException e) {
                // Ctrl-C: the hook is stopping everything
            }
        }
    }

    /** Announces the compose until the bridge takes it and waits for it; the exit status with --exit, else null. */
    private Integer follow(ComposeSource compose, LocalBus localBus, LocalBus.Topics topics, RunReport report,
            boolean successorExpected) throws Exception {
        String composeId = compose.metadata().composeId();
        String msgId = FedmsgPublisher.newMsgId();
        step("publishing %s FINISHED for %s (msg_id %s)", topics.compose(), composeId, msgId);
        Instant deadline = Instant.now().plus(timeout);
        // Again until the bridge takes it: ZeroMQ drops what is sent before the subscriber joins, and AMQP returns it
        // while the bridge's queue does not exist. The bridge deduplicates by msg_id, but two copies in flight at once
        // may both pass, so nothing is sent again once the broker says the bridge's queue has it.
        boolean queued = false;
        do {
            queued = queued || localBus.publish(topics.compose(), compose.finishedMessageBody(), msgId);
            TimeUnit.SECONDS.sleep(2);
        } while (!report.accepted(composeId) && Instant.now().isBefore(deadline));
        try {
            boolean allPublished = report.done(composeId)
                    .get(Math.max(1, Duration.between(Instant.now(), deadline).toSeconds()), TimeUnit.SECONDS);
            if (!exitWhenDone) {
                return null;
            }
            if (successorExpected && !report.awaitSuccessorMessages(composeId, SUCCESSOR_WAIT)) {
                step("no successor message for every public image within %s: see the bridge's log", SUCCESSOR_WAIT);
            }
            return allPublished ? 0 : 1;
        } catch (TimeoutException e) {
            out.println("timed out after " + timeout + " waiting for " + composeId + "; see the service logs above");
            return 2;
        }
    }

    /** qemu when asked for or by default where QEMU is installed; else bash, saying why. */
    private InstanceBackend chooseBackend(Path root) {
        if (instanceBackend != null && InstanceBackend.named(instanceBackend) == InstanceBackend.BASH) {
            return InstanceBackend.BASH;
        }
        List<String> missing = QemuHost.get().missingPackages();
        if (!missing.isEmpty()) {
            step("WARNING: the qemu instance backend needs packages this machine lacks: %s (apt-get install %s);"
                    + " falling back to the bash backend: test instances run their user-data here and no image boots",
                    String.join(", ", missing), String.join(" ", missing));
            return InstanceBackend.BASH;
        }
        System.setProperty(TestImages.PROJECT_DIR_PROPERTY, root.toString());
        return InstanceBackend.QEMU;
    }

    /** The bootable x86_64 and aarch64 test images, xz-compressed (built and cached by test-images/build.sh). */
    private Map<String, Path> bootableImages() {
        step("building (or reusing the cached) bootable test images with test-images/build.sh --xz");
        return LocalCompose.bootableTestImages(why -> step("WARNING: %s; falling back to the bash backend and"
                + " unbootable images", why));
    }

    private ComposeSource compose(Path work, Map<String, Path> bootable) {
        if (composeSource == null && !bootable.isEmpty()) {
            step("generating a compose with the bootable x86_64 and aarch64 test images in %s", work);
            return LocalCompose.generateBootable(work, release, bootable).serve();
        }
        if (composeSource == null) {
            step("generating a compose with %d MiB x86_64 and aarch64 images in %s", imageMiB, work);
            return LocalCompose.generate(work, release, imageMiB).serve();
        }
        if (composeSource.startsWith("http://") || composeSource.startsWith("https://")) {
            return RemoteCompose.open(composeSource);
        }
        return LocalCompose.open(Path.of(composeSource)).serve();
    }

    private Map<String, String> userConfig() throws java.io.IOException {
        Map<String, String> config = new LinkedHashMap<>();
        if (configFile != null) {
            var props = new java.util.Properties();
            try (var in = Files.newBufferedReader(configFile)) {
                props.load(in);
            }
            props.forEach((k, v) -> config.put(k.toString(), v.toString()));
        }
        return config;
    }

    private void step(String format, Object... args) {
        out.printf("%s  " + format + "%n", concat(LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK), args));
    }

    private static Object[] concat(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
