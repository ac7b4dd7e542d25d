package org.fedoraproject.fedimg.bridge.messaging;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.BusMessage;
import org.fedoraproject.fedimg.bridge.domain.FedimgBusMessages;
import org.fedoraproject.fedimg.bridge.outbound.OutboundPublisher;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code fedimg.status} → the original fedimg bus messages. */
@ApplicationScoped
public class StatusConsumer {

    private static final Logger LOG = Logger.getLogger(StatusConsumer.class);

    private final FedimgBusMessages messages;
    private final OutboundPublisher publisher;
    private final Outbox sink;
    private final boolean enabled;

    public StatusConsumer(BridgeConfig config, OutboundPublisher publisher, Outbox sink) {
        this.messages = new FedimgBusMessages(config.topicPrefix(), config.environment(), config.outbound().modname(),
                config.outbound().publishProgress());
        this.publisher = publisher;
        this.sink = sink;
        this.enabled = config.outbound().enabled();
    }

    @Incoming("status-in")
    public Uni<Void> onStatus(Message<byte[]> record) {
        Map<String, String> headers = headers(record);
        String ceType = headers.get("ce_type");
        if (!enabled || (ceType != null && !EventType.STAGE_STATUS.ceType().equals(ceType))) {
            return ack(record);
        }
        Optional<BusMessage> bus;
        try {
            StageStatus status = EventJson.read(record.getPayload(), StageStatus.class);
            if (status.stage() == null || status.state() == null || status.image() == null) {
                throw new MalformedEventException("StageStatus without stage, state or image");
            }
            bus = messages.of(status);
        } catch (MalformedEventException | IllegalArgumentException e) {
            LOG.warnf("malformed record on fedimg.status: %s", e.getMessage());
            return sink.deadLetter(DeadLetters.of(Outbox.SERVICE, DeadLetters.Input.kafka(record))
                    .unreadable(e.getMessage())).chain(() -> ack(record));
        }
        return bus.map(publisher::publish).orElse(Uni.createFrom().voidItem()).chain(() -> ack(record));
    }

    static Uni<Void> ack(Message<?> record) {
        return Uni.createFrom().completionStage(record::ack);
    }

    static Map<String, String> headers(Message<?> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        record.getMetadata(IncomingKafkaRecordMetadata.class).ifPresent(md -> {
            for (Header h : md.getHeaders()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
        });
        return headers;
    }
}
