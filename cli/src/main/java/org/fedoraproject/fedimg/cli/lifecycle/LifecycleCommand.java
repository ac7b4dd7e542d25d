package org.fedoraproject.fedimg.cli.lifecycle;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.cli.aws.AccountOptions;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;
import org.fedoraproject.fedimg.lifecycle.job.Lifecycle;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.TraceContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * {@code fedimg lifecycle}: applies the retention streams to the AMIs fedimg published (docs/lifecycle.md). Dry
 * run by default, printing the plan; {@code --apply} carries it out, announcing every step on the bus through
 * fedimg.status (the bridge publishes {@code fedimg.image.lifecycle}).
 */
@Command(name = "lifecycle", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Plans what the retention policy does now to fedimg's published AMIs: make private the ones no longer "
                        + "kept public, disable and deregister (with their snapshots) old private ones. Dry run unless --apply.",
                "Never touches an AMI tagged fedimg:keep, one of a stream that is never demoted (releases), or one "
                        + "launched within its stream's unlaunched-for window."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:nothing failed",
                "1:some steps or regions failed (the others were done); run again",
                "2:bad command line"})
public final class LifecycleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AccountOptions account = new AccountOptions();

    @Option(names = "--apply", description = "Carry out the plan. Default: dry run, nothing is changed.")
    boolean apply;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "Properties file with the replicator's fedimg.replicator.streams.* keys. Default: the replicator's defaults.")
    Path policy;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka: each step is announced on fedimg.status before it is made. Required with --apply "
                    + "unless --no-bus.")
    String bootstrapServers;

    @Option(names = "--no-bus", description = "With --apply: announce nothing (an operator's manual clean-up).")
    boolean noBus;

    @Option(names = "--max-actions-per-region", defaultValue = "100", paramLabel = "N",
            description = "Steps carried out per region and run at most, oldest AMI first (default ${DEFAULT-VALUE}); "
                    + "the rest wait for the next run.")
    int maxActions;

    @Option(names = "--parallel-regions", defaultValue = "4", paramLabel = "N",
            description = "Regions worked on at the same time (default ${DEFAULT-VALUE}).")
    int parallelRegions;

    @Option(names = "--region-timeout", defaultValue = "PT15M", paramLabel = "DURATION",
            description = "Time allowed per region (default ${DEFAULT-VALUE}).")
    Duration regionTimeout;

    private final Clock clock;

    public LifecycleCommand() {
        this(Clock.systemUTC());
    }

    LifecycleCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxActions < 1 || parallelRegions < 1) {
            err.println("--max-actions-per-region and --parallel-regions must be at least 1");
            return 2;
        }
        boolean bus = bootstrapServers != null && !bootstrapServers.isBlank();
        if (apply && !bus && !noBus) {
            err.println("--apply announces every step on the bus: give --bootstrap-servers, or --no-bus");
            return 2;
        }
        Streams streams;
        try {
            streams = StreamsFile.read(Optional.ofNullable(policy));
        } catch (RuntimeException e) {
            err.println("bad policy: " + e.getMessage());
            return 2;
        }
        Instant at = account.now(clock);
        try (AwsClients aws = new AwsClients(account.awsConfig(), new ExecutionInterceptor() { });
                KafkaProducer<String, byte[]> producer = bus ? producer() : null) {
            Consumer<StageStatus> announce = producer == null ? s -> { } : s -> send(producer, s);
            List<String> targets = account.regions.isEmpty()
                    ? aws.ec2(account.baseRegion).describeRegions().join().regions().stream().map(r -> r.regionName())
                            .sorted().toList()
                    : account.regions;
            var reports = new Lifecycle(aws, streams, announce)
                    .run(new Lifecycle.Options(targets, apply, maxActions, parallelRegions, at, regionTimeout));
            return PlanWriter.table(reports, apply, out);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, StageStatus s) {
        try {
            producer.send(CloudEvents.record(Topics.STATUS, s, Lifecycle.SERVICE, TraceContext.traceparent(s))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while announcing " + s.amiId(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("announcing " + s.amiId() + " on fedimg.status failed: " + e.getCause(), e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.CLIENT_ID_CONFIG, "fedimg-lifecycle",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                new StringSerializer(), new ByteArraySerializer());
    }
}
