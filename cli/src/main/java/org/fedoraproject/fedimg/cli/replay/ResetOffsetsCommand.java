package org.fedoraproject.fedimg.cli.replay;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedimg reset-offsets}: moves a service's consumer group back (or forward) on a topic so it
 * reprocesses from a time or an offset. Kafka only allows this while the group has no members, so stop
 * the service first. Idempotent consumers make reprocessing safe: nothing is created twice.
 */
@Command(name = "reset-offsets", mixinStandardHelpOptions = true,
        description = "Reset a stopped service's consumer group on a topic to a time, an offset or the start.")
public final class ResetOffsetsCommand implements Callable<Integer> {

    @Option(names = "--group", required = true, description = "Consumer group, e.g. uploader-service")
    String group;

    @Option(names = "--topic", required = true, description = "Topic, e.g. fedimg.images")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--to-datetime", description = "ISO-8601 instant, e.g. 2026-11-25T12:00:00Z")
        Instant datetime;
        @Option(names = "--to-offset", description = "The same offset on every partition")
        Long offset;
        @Option(names = "--to-earliest")
        boolean earliest;
    }

    @Option(names = "--execute", description = "Apply the change; without it the plan is only printed.")
    boolean execute;

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-localhost:9092}")
    String bootstrapServers;

    @Override
    public Integer call() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            if (!description.members().isEmpty()) {
                System.err.printf("group %s has %d active members: stop the service first%n", group,
                        description.members().size());
                return 2;
            }
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> plan = plan(admin, partitions);
            Map<TopicPartition, OffsetAndMetadata> current = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            plan.forEach((tp, o) -> System.out.printf("%s %s-%d: %s -> %d%n", execute ? "reset" : "would reset", tp.topic(),
                    tp.partition(), current.containsKey(tp) ? current.get(tp).offset() : "none", o.offset()));
            if (execute) {
                admin.alterConsumerGroupOffsets(group, plan).all().get();
            } else {
                System.out.println("dry run: add --execute to apply");
            }
            return 0;
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> plan(Admin admin, List<TopicPartition> partitions) throws Exception {
        if (target.offset != null) {
            return partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> new OffsetAndMetadata(target.offset)));
        }
        OffsetSpec spec = target.earliest ? OffsetSpec.earliest() : OffsetSpec.forTimestamp(target.datetime.toEpochMilli());
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, OffsetAndMetadata> plan = new HashMap<>();
        var found = admin.listOffsets(request).all().get();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        found.forEach((tp, info) -> {
            if (info.offset() >= 0) {
                plan.put(tp, new OffsetAndMetadata(info.offset()));
            } else {
                ends.put(tp, OffsetSpec.latest()); // no record at or after the time: nothing to reprocess there
            }
        });
        if (!ends.isEmpty()) {
            admin.listOffsets(ends).all().get().forEach((tp, info) -> plan.put(tp, new OffsetAndMetadata(info.offset())));
        }
        return plan;
    }
}
