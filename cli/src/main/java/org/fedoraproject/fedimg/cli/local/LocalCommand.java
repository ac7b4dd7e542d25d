package org.fedoraproject.fedimg.cli.local;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.local.KafkaBroker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedimg local}: the whole pipeline on this machine, fed by a pungi FINISHED message for a
 * compose generated here, followed stage by stage until the AMIs are public in every region.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run Kafka, the AWS emulator, the four services and a local compose; publish one compose.")
public final class LocalCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = "--delays", defaultValue = "realistic",
            description = "Emulator life-cycle delays: realistic, fast or zero (default: ${DEFAULT-VALUE}).")
    String delays;

    @Option(names = "--aws", description = "Target real AWS (standard credential chain) instead of the emulator.")
    boolean aws;

    @Option(names = "--config", description = "A properties file with settings for every service (with --aws: regions, subnets, KMS keys...).")
    Path configFile;

    @Option(names = "--image-mib", defaultValue = "64", description = "Size of each generated disk image (default: ${DEFAULT-VALUE} MiB).")
    int imageMiB;

    @Option(names = "--release", defaultValue = "43", description = "Fedora release of the generated compose.")
    String release;

    @Option(names = "--timeout", defaultValue = "PT45M", description = "Give up after this long (ISO-8601).")
    Duration timeout;

    @Option(names = "--exit", description = "Exit once the table is printed, instead of staying up until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--project-dir", description = "The fedimg checkout (default: found from this jar).")
    Path projectDir;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path root = projectDir != null ? projectDir : ProjectDir.find();
        Pipeline.requireBuilt(root);
        Path work = Files.createDirectories(root.resolve("local-run").resolve(String.valueOf(System.currentTimeMillis())));
        step("generating a compose with %d MiB x86_64 and aarch64 images in %s", imageMiB, work);
        try (LocalCompose compose = LocalCompose.generate(work, release, imageMiB).serve();
                FedmsgPublisher bus = new FedmsgPublisher(KafkaBroker.freePort())) {
            int busOut = KafkaBroker.freePort();
            Pipeline pipeline = new Pipeline(new Pipeline.Settings(root, aws ? null : Delays.named(delays), List.of(),
                    commonConfig(), LocalConfig.perService(bus.endpoint(), busOut, work)));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.println("\nstopping services, emulator and Kafka...");
                pipeline.close();
            }, "fedimg-local-stop"));
            step("starting Kafka%s", aws ? "" : " and the AWS emulator (" + delays + " delays)");
            pipeline.startInfrastructure();
            if (pipeline.emulator() != null) {
                step("AWS emulator at %s", pipeline.emulator().endpoint());
            }
            step("starting %s", String.join(", ", Pipeline.SERVICES));
            pipeline.startServices();
            pipeline.services().forEach(s -> step("  %-19s %s (log %s)", s.name(), s.baseUri(), s.log()));

            Set<String> expected = compose.images().stream()
                    .map(i -> org.fedoraproject.fedimg.events.ImageKeys.of(compose.composeId(), i.fileName()))
                    .collect(Collectors.toSet());
            CountDownLatch published = new CountDownLatch(expected.size());
            CountDownLatch accepted = new CountDownLatch(1);
            try (PipelineWatcher watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
                print(e);
                if (e instanceof ImageReady r && expected.contains(r.imageKey())) {
                    accepted.countDown();
                }
                if (e instanceof ImagePublished p && expected.contains(p.imageKey())) {
                    published.countDown();
                }
            })) {
                String msgId = FedmsgPublisher.newMsgId();
                String topic = "org.fedoraproject.prod.pungi.compose.status.change";
                step("publishing %s FINISHED for %s (msg_id %s)", topic, compose.composeId(), msgId);
                // ZeroMQ drops what is sent before the subscriber joins; the bridge deduplicates by msg_id.
                do {
                    bus.publish(topic, compose.finishedMessageBody(), msgId);
                } while (!accepted.await(2, TimeUnit.SECONDS));
                if (!published.await(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    out.println("timed out after " + timeout + "; see the service logs above");
                    return 2;
                }
                printTable(pipeline, watcher.seen(AmiPublished.class));
            }
            if (exitWhenDone) {
                return 0;
            }
            out.println("\nThe pipeline keeps running. AMI catalogue: "
                    + pipeline.service("replicator-service").baseUri() + "/amis   Press Ctrl-C to stop.");
            Thread.currentThread().join();
            return 0;
        }
    }

    private Map<String, String> commonConfig() throws java.io.IOException {
        Map<String, String> config = new LinkedHashMap<>();
        if (configFile != null) {
            var props = new java.util.Properties();
            try (var in = Files.newBufferedReader(configFile)) {
                props.load(in);
            }
            props.forEach((k, v) -> config.put(k.toString(), v.toString()));
        }
        if (aws) {
            config.put("quarkus.profile", "prod");
        }
        return config;
    }


    private void print(FedimgEvent e) {
        String image = e.imageKey() == null ? "-" : e.imageKey().substring(e.imageKey().indexOf('/') + 1);
        String line = null;
        if (e instanceof ImageReady r) {
            line = "image ready        " + r.image().url();
        } else if (e instanceof StageStatus s && s.state() != org.fedoraproject.fedimg.events.StageState.PROGRESS) {
            line = String.format("%-7s %-9s %-15s %s%s%s", s.stage(), s.state(), s.region() == null ? "" : s.region(),
                    s.variant() == null ? "" : s.variant().slug() + " ", s.amiId() == null ? "" : s.amiId(),
                    s.reason() == null ? "" : "  (" + s.reason() + ")");
        } else if (e instanceof ImagePublished p) {
            line = "image published    " + p.outcome() + (p.reason() == null ? "" : "  (" + p.reason() + ")");
        } else if (e instanceof DeadLetter d) {
            line = "DEAD LETTER        " + d.reasonCode() + ": " + d.reason();
        }
        if (line != null) {
            out.printf("%s  %-52s %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK), image, line);
        }
    }

    private void printTable(Pipeline pipeline, List<AmiPublished> results) {
        URI endpoint = pipeline.emulator() == null ? null : pipeline.emulator().endpoint();
        try (AwsClients aws = new AwsClients(AwsConfig.of("us-east-1", endpoint), new AwsCallMetrics(new SimpleMeterRegistry()))) {
            printTable(new PublicityCheck(aws), results);
        }
    }

    private void printTable(PublicityCheck check, List<AmiPublished> results) {
        Map<String, AmiPublished> latest = new java.util.TreeMap<>();
        results.forEach(r -> latest.put(r.imageKey() + " " + r.sourceAmi().variant().slug() + " " + r.region(), r));
        out.println();
        out.printf("%-16s %-8s %-20s %-23s %s%n", "REGION", "ARCH", "VARIANT", "AMI", "PUBLIC");
        for (AmiPublished r : latest.values()) {
            boolean isPublic = check.isPublic(r.region(), r.amiId());
            out.printf("%-16s %-8s %-20s %-23s %s%s%n", r.region(), r.image().arch(), r.sourceAmi().variant().slug(),
                    r.amiId() == null ? "-" : r.amiId(), isPublic ? "yes" : "no",
                    r.reason() == null ? "" : "  " + r.reason());
        }
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
