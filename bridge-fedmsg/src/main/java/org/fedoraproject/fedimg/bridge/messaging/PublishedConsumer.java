package org.fedoraproject.fedimg.bridge.messaging;

import java.util.Map;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.SuccessorMessages;
import org.fedoraproject.fedimg.bridge.outbound.OutboundPublisher;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code fedimg.amis.published}: for each {@link ImagePublished} aggregate that is public, the successor's
 * {@code fedora_image_uploader.published.v1.aws} message. The per-region {@code AmiPublished} records on the
 * same topic are skipped.
 */
@ApplicationScoped
public class PublishedConsumer {

    private static final Logger LOG = Logger.getLogger(PublishedConsumer.class);

    private final SuccessorMessages successor;
    private final OutboundPublisher publisher;
    private final Outbox sink;
    private final boolean enabled;

    public PublishedConsumer(BridgeConfig config, OutboundPublisher publisher, Outbox sink) {
        BridgeConfig.Outbound.Successor s = config.outbound().successor();
        this.successor = new SuccessorMessages(config.topicPrefix(), config.environment(), s.variant(),
                s.rawhideRelease());
        this.publisher = publisher;
        this.sink = sink;
        this.enabled = config.outbound().enabled() && s.enabled();
    }

    @Incoming("published-in")
    public Uni<Void> onPublished(Message<byte[]> record) {
        Map<String, String> headers = StatusConsumer.headers(record);
        String ceType = headers.get("ce_type");
        if (!enabled || EventType.AMI_PUBLISHED.ceType().equals(ceType) || record.getPayload() == null) {
            return StatusConsumer.ack(record); // per-region results, or a compaction tombstone
        }
        ImagePublished published;
        try {
            if (!EventType.IMAGE_PUBLISHED.ceType().equals(ceType)) {
                throw new MalformedEventException("unknown ce_type '" + ceType + "' on fedimg.amis.published");
            }
            published = EventJson.read(record.getPayload(), ImagePublished.class);
            if (published.image() == null || published.outcome() == null) {
                throw new MalformedEventException("ImagePublished without image or outcome");
            }
        } catch (MalformedEventException e) {
            LOG.warnf("malformed record on fedimg.amis.published: %s", e.getMessage());
            return sink.deadLetter(DeadLetters.of(Outbox.SERVICE, DeadLetters.Input.kafka(record))
                    .unreadable(e.getMessage())).chain(() -> StatusConsumer.ack(record));
        }
        SuccessorMessages.Result result = successor.of(published);
        if (result.message().isEmpty()) {
            LOG.infof("no successor message for %s: %s", published.imageKey(), result.skippedBecause());
            return StatusConsumer.ack(record);
        }
        return publisher.publish(result.message().get()).chain(() -> StatusConsumer.ack(record));
    }
}
