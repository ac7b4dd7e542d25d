package org.fedoraproject.fedimg.replicator.catalogue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * The published topic must be compacted: it is the catalogue and the replicator's memory, one record per
 * image, variant and region plus one aggregate per image. Creates it compacted, or switches an existing
 * topic (e.g. auto-created by a broker) to compaction.
 */
public final class PublishedTopicAdmin {

    private static final Logger LOG = Logger.getLogger(PublishedTopicAdmin.class);

    private PublishedTopicAdmin() {
    }

    public static void ensureCompacted(Map<String, Object> kafkaConfig, String topic, int partitions, short replicationFactor)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(kafkaConfig)) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!names.contains(topic)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                            .all().get(30, TimeUnit.SECONDS);
                    LOG.infof("created compacted topic %s (%d partitions, replication %d)", topic, partitions, replicationFactor);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry policy = admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                admin.incrementalAlterConfigs(Map.of(res, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                        AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
                LOG.warnf("topic %s had cleanup.policy=%s; switched it to compact", topic, policy == null ? "?" : policy.value());
            }
        }
    }
}
