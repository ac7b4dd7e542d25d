package org.fedoraproject.fedimg.replicator.catalogue;

import java.util.HashMap;
import java.util.Map;

import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.replicator.config.ReplicatorConfig;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** At start: make the published topic compacted, then read it into the store and keep tailing it. */
@ApplicationScoped
public class CatalogueLifecycle {

    private static final Logger LOG = Logger.getLogger(CatalogueLifecycle.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    ReplicatorConfig config;

    @Inject
    PublishedStore store;

    private PublishedTopicReader reader;
    private Thread thread;

    void onStart(@Observes StartupEvent e) {
        Map<String, Object> kafka = kafkaClientConfig();
        reader = new PublishedTopicReader(kafka, Topics.AMIS_PUBLISHED, config.publishedTopic().loadTimeout(), store);
        thread = new Thread(() -> {
            if (config.publishedTopic().manage()) {
                ensureTopic(kafka);
            }
            reader.run();
        }, "published-topic-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void ensureTopic(Map<String, Object> kafka) {
        for (int attempt = 1; ; attempt++) {
            try {
                PublishedTopicAdmin.ensureCompacted(kafka, Topics.AMIS_PUBLISHED, config.publishedTopic().partitions(),
                        config.publishedTopic().replicationFactor());
                return;
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception ex) {
                // Readiness stays DOWN meanwhile; the broker may simply not be up yet.
                LOG.warnf("cannot make %s compacted yet (attempt %d): %s", Topics.AMIS_PUBLISHED, attempt, ex.getMessage());
                try {
                    Thread.sleep(Math.min(30_000, 1000L * attempt));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The connector-level {@code kafka.*} settings (bootstrap, security), minus Quarkus-only keys. */
    private Map<String, Object> kafkaClientConfig() {
        Map<String, Object> m = new HashMap<>();
        kafkaConfig.forEach((k, v) -> {
            if (k.contains(".") && !k.startsWith("devservices") && !k.startsWith("health") && !k.startsWith("snappy")) {
                m.put(k, v);
            }
        });
        m.putIfAbsent("bootstrap.servers", kafkaConfig.get("bootstrap.servers"));
        m.put("allow.auto.create.topics", "false");
        return m;
    }

    void onStop(@Observes ShutdownEvent e) {
        if (reader != null) {
            reader.stop();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
