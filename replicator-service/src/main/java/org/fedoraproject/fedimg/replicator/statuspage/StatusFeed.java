package org.fedoraproject.fedimg.replicator.statuspage;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.replicator.catalogue.AmiLifecycles;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;

/**
 * Feeds the status page from {@code fedimg.status}, {@code fedimg.amis.published} and
 * {@code fedimg.dead-letter}. Every replica reads from the beginning with a group of its own and commits
 * nothing: the view is rebuilt at start, like the catalogue. Records it cannot read are skipped here —
 * the services that own those topics dead-letter bad input.
 */
@ApplicationScoped
public class StatusFeed {

    @Inject
    PipelineView view;
    @Inject
    AmiLifecycles lifecycles;

    @Incoming("status-page")
    public void consume(ConsumerRecord<String, byte[]> record) {
        decode(record).ifPresent(e -> {
            if (e instanceof StageStatus s) {
                lifecycles.apply(s);
            }
            view.apply(e);
        });
    }

    static Optional<FedimgEvent> decode(ConsumerRecord<String, byte[]> record) {
        Header type = record.headers().lastHeader("ce_type");
        if (type == null || record.value() == null) {
            return Optional.empty();
        }
        return EventType.ofCeType(new String(type.value(), StandardCharsets.UTF_8)).flatMap(t -> {
            try {
                return Optional.of((FedimgEvent) EventJson.read(record.value(), t.recordClass()));
            } catch (MalformedEventException e) {
                return Optional.empty();
            }
        });
    }
}
