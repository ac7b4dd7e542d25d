package org.fedoraproject.fedimg.cli.replay;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.TopicSnapshot;
import org.fedoraproject.fedimg.messaging.TraceContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fedimg replay --compose ID}: re-emits the image events of a compose. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-emit the image events of a compose. Without --force nothing new is created.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:sent (or, with --dry-run, would send)", "1:no image event of the compose on fedimg.images",
            "2:bad command line", "3:fedimg.images could not be read or written"})
public final class ReplayCommand implements Callable<Integer> {

    static final int NOTHING_TO_REPLAY = 1;
    static final int KAFKA_FAILED = 3;

    @Option(names = "--compose", required = true, description = "The compose id, e.g. Fedora-Cloud-41-20241020.0")
    String composeId;

    @Option(names = "--force", description = "Upload again under a new respin (new AMI names).")
    boolean force;

    @Option(names = "--respin", description = "With --force: the respin to use (default: one above the highest used).")
    Integer respin;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka (default: $KAFKA_BOOTSTRAP_SERVERS or localhost:9092).")
    String bootstrapServers;

    @Option(names = "--kafka-timeout", defaultValue = "PT2M",
            description = "Time allowed to read fedimg.images to its end (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration kafkaTimeout;

    @Option(names = "--dry-run", description = "Print what would be sent and send nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (respin != null && !force) {
            err.println("--respin only makes sense with --force");
            return 2;
        }
        List<ImageReady> history;
        try {
            history = imageEvents(new TopicSnapshot(bootstrapServers, "fedimg-replay", kafkaTimeout)
                    .readToEnd(Topics.IMAGES), err);
        } catch (RuntimeException e) {
            err.println("cannot read " + Topics.IMAGES + ": " + e.getMessage());
            return KAFKA_FAILED;
        }
        List<ImageReady> plan = ComposeReplay.plan(history, composeId, force,
                respin == null ? OptionalInt.empty() : OptionalInt.of(respin));
        if (plan.isEmpty()) {
            err.println("no image events of compose " + composeId + " on " + Topics.IMAGES
                    + " (" + history.size() + " image events read); submit it through the bridge's trigger instead");
            return NOTHING_TO_REPLAY;
        }
        for (ImageReady e : plan) {
            out.printf("%s %s respin %d%s%n", dryRun ? "would send" : "sending", e.imageKey(),
                    e.image().respin(), force ? " (forced)" : " (redelivery: nothing new is created)");
        }
        if (dryRun) {
            return 0;
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (ImageReady e : plan) {
                producer.send(CloudEvents.record(Topics.IMAGES, e, "replay", TraceContext.traceparent(e)))
                        .get(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return 0;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            err.println("cannot write " + Topics.IMAGES + ": " + e);
            return KAFKA_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return KAFKA_FAILED;
        }
    }

    /** The image events among the records; anything else (a record the uploader dead-letters) is skipped. */
    static List<ImageReady> imageEvents(List<ConsumerRecord<String, byte[]>> records, PrintWriter err) {
        String ceType = EventType.of(ImageReady.class).ceType();
        List<ImageReady> events = new ArrayList<>();
        int skipped = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            Header type = r.headers().lastHeader("ce_type");
            try {
                if (type != null && ceType.equals(new String(type.value(), StandardCharsets.UTF_8))) {
                    events.add(EventJson.read(r.value(), ImageReady.class));
                    continue;
                }
            } catch (MalformedEventException e) {
                // counted below
            }
            skipped++;
        }
        if (skipped > 0) {
            err.printf("skipped %d record(s) on %s that are not image events%n", skipped, Topics.IMAGES);
        }
        return events;
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.CLIENT_ID_CONFIG, "fedimg-replay",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(kafkaTimeout.toMillis(), 30_000)),
                new StringSerializer(), new ByteArraySerializer());
    }
}
