package org.fedoraproject.fedimg.cli.replay;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fedimg replay --compose ID}: re-emits the image events of a compose. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-emit the image events of a compose. Without --force nothing new is created.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--compose", required = true, description = "The compose id, e.g. Fedora-Cloud-41-20241020.0")
    String composeId;

    @Option(names = "--force", description = "Upload again under a new respin (new AMI names).")
    boolean force;

    @Option(names = "--respin", description = "With --force: the respin to use (default: one above the highest used).")
    Integer respin;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--dry-run", description = "Print what would be sent and send nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        if (respin != null && !force) {
            System.err.println("--respin only makes sense with --force");
            return 2;
        }
        try (TopicProbe probe = new TopicProbe(bootstrapServers)) {
            List<ImageReady> history = TopicProbe.decode(probe.readAll(Topics.IMAGES, Duration.ofSeconds(3)),
                    ImageReady.class);
            List<ImageReady> plan = ComposeReplay.plan(history, composeId, force,
                    respin == null ? OptionalInt.empty() : OptionalInt.of(respin));
            if (plan.isEmpty()) {
                System.err.println("no image events of compose " + composeId + " on " + Topics.IMAGES
                        + "; submit it through the bridge's trigger instead");
                return 1;
            }
            for (ImageReady e : plan) {
                System.out.printf("%s %s respin %d%s%n", dryRun ? "would send" : "sending", e.imageKey(),
                        e.image().respin(), force ? " (forced)" : " (redelivery: nothing new is created)");
                if (!dryRun) {
                    probe.send(e, "replay");
                }
            }
            return 0;
        }
    }
}
