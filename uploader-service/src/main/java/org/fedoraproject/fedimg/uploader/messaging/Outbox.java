package org.fedoraproject.fedimg.uploader.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.uploader.domain.UploadEvents;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * The uploader's outgoing topics. Every send completes when the broker acknowledged the write, so the
 * incoming image event is acked only after all of its events are stored.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    @Channel("status")
    MutinyEmitter<StageStatus> status;

    @Inject
    @Channel("registered")
    MutinyEmitter<AmiRegistered> registered;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<DeadLetter> deadLetter;

    public Uni<Void> status(StageStatus event) {
        return send(status, event);
    }

    public Uni<Void> statuses(List<StageStatus> events) {
        return Uni.join().all(events.stream().map(this::status).toList()).andFailFast().replaceWithVoid();
    }

    public Uni<Void> registered(AmiRegistered event) {
        return send(registered, event);
    }

    public Uni<Void> deadLetter(DeadLetter event) {
        return send(deadLetter, event);
    }

    private static <T extends FedimgEvent> Uni<Void> send(MutinyEmitter<T> emitter, T event) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(CloudEvents.message(event, UploadEvents.SERVICE)))
                .onFailure().transform(BrokerWriteFailed::new);
    }

    /** The broker did not take an event: the input must not be acked, and this is no reason for a dead letter. */
    public static final class BrokerWriteFailed extends RuntimeException {
        BrokerWriteFailed(Throwable cause) {
            super("writing an event to Kafka failed: " + cause.getMessage(), cause);
        }
    }
}
