package org.fedoraproject.fedimg.bridge.messaging;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Writes image events and dead letters to Kafka; every returned Uni completes only when the broker has
 * acknowledged the write, which is what lets the AMQP consumer ack its message afterwards.
 */
@ApplicationScoped
public class EventSink {

    public static final String SERVICE = "bridge-fedmsg";
    private static final Logger LOG = Logger.getLogger(EventSink.class);

    @Inject
    @Channel("images-out")
    MutinyEmitter<ImageReady> images;

    @Inject
    @Channel("dead-letter-out")
    MutinyEmitter<DeadLetter> deadLetters;

    @Inject
    BridgeMetrics metrics;

    Clock clock = Clock.systemUTC();

    public Uni<Void> images(List<ImageReady> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(events.stream().map(e -> images.sendMessage(CloudEvents.message(e, SERVICE))).toList())
                .andFailFast().replaceWithVoid();
    }

    /**
     * A dead letter for bad input. Its id is derived from the input's identity (message id, or the
     * payload's hash) so a redelivered bad message gives the same dead letter.
     */
    public Uni<Void> deadLetter(DeadLetterReason reason, String why, String inputId, String composeId, String source,
            byte[] payload, Map<String, String> headers) {
        String id = EventIds.derived(inputId, "dead-letter", reason.name());
        DeadLetter dl = new DeadLetter(id, null, composeId, EventIds.derived("trace", inputId), clock.instant(),
                SERVICE, source, reason.name(), why, payloadText(payload), headers == null ? Map.of() : headers);
        LOG.warnf("dead letter %s from %s (%s): %s", reason, source, inputId, why);
        return deadLetters.sendMessage(CloudEvents.message(dl, SERVICE))
                .invoke(() -> metrics.deadLetter(reason.name()));
    }

    /** UTF-8 text as is; anything else base64 with a "base64:" prefix (the DeadLetter contract). */
    static String payloadText(byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(payload);
        }
    }
}
