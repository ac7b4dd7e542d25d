package org.fedoraproject.fedimg.cli.janitor;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.cli.aws.AccountOptions;
import org.fedoraproject.fedimg.aws.support.AwsConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * {@code fedimg janitor}: finds AWS resources fedimg created that outlived their job, and with
 * {@code --delete} removes them. The rules are in {@link LeakRules} and README-janitor.md.
 */
@Command(name = "janitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Finds resources tagged fedimg:created-by=fedimg that are older than the grace period and belong to "
                        + "no job in flight (instances, volumes, snapshots used by no AMI, key pairs, security groups, "
                        + "private AMIs of failed runs) and reports them. Dry run unless --delete.",
                "Never touches an untagged resource, a public or shared AMI or snapshot, or an AMI that passed its test."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:nothing failed",
                "1:some deletions failed (the others were done)",
                "2:bad command line",
                "3:a region or Kafka could not be read; nothing was deleted"})
public final class JanitorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AccountOptions account = new AccountOptions();

    @Option(names = "--delete", description = "Delete the leaks. Default: dry run, nothing is changed.")
    boolean delete;

    @Option(names = "--grace", defaultValue = "PT6H", paramLabel = "DURATION",
            description = "Leave anything younger than this alone (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka to consult for images in flight, test verdicts and published AMIs. "
                    + "Without it, age alone decides whether an image is in flight.")
    String bootstrapServers;

    @Option(names = "--stuck-after", defaultValue = "P2D", paramLabel = "DURATION",
            description = "A pipeline step that started and never completed or failed counts as in flight for this "
                    + "long (default ${DEFAULT-VALUE}); older, its job is considered dead.")
    Duration stuckAfter;

    @Option(names = "--json", description = "Print one JSON document instead of the table.")
    boolean json;

    @Option(names = "--show-kept", description = "Also list fedimg resources that are kept, with the reason.")
    boolean showKept;

    @Option(names = "--parallel-regions", defaultValue = "8", paramLabel = "N",
            description = "Regions read and cleaned at the same time (default ${DEFAULT-VALUE}).")
    int parallelRegions;

    @Option(names = "--termination-timeout", defaultValue = "PT15M", paramLabel = "DURATION",
            description = "How long to wait for terminated instances before deleting what they used (default ${DEFAULT-VALUE}).")
    Duration terminationTimeout;

    @Option(names = "--kafka-timeout", defaultValue = "PT2M", paramLabel = "DURATION",
            description = "Time allowed to read the Kafka topics (default ${DEFAULT-VALUE}).")
    Duration kafkaTimeout;

    @Option(names = "--retry-interval", defaultValue = "PT2S", hidden = true,
            description = "First pause before retrying an 'in use' answer after a termination or deregistration.")
    Duration retryInterval;

    private final Clock clock;

    public JanitorCommand() {
        this(Clock.systemUTC());
    }

    JanitorCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (grace.isNegative() || stuckAfter.isNegative() || parallelRegions < 1) {
            err.println("--grace and --stuck-after must not be negative, --parallel-regions must be at least 1");
            return 2;
        }
        Instant at = account.now(clock);
        AwsConfig config = account.awsConfig();
        try (AwsClients clients = new AwsClients(config, new ExecutionInterceptor() { })) {
            Optional<Supplier<PipelineState>> kafka = Optional.ofNullable(bootstrapServers)
                    .filter(s -> !s.isBlank())
                    .map(s -> () -> new KafkaHistory(s, kafkaTimeout).read());
            Ec2Deleter deleter = new Ec2Deleter(clients, new Ec2Deleter.Settings(terminationTimeout, retryInterval, 6), at);
            Report report = new Janitor(new Ec2Inventory(clients), kafka, deleter)
                    .run(new Janitor.Options(account.regions, grace, stuckAfter, delete, parallelRegions, at));
            if (json) {
                ReportWriter.json(report, out);
            } else {
                ReportWriter.table(report, showKept, out);
            }
            return report.exitCode();
        }
    }
}
