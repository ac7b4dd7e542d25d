package org.fedoraproject.fedimg.replicator.messaging;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.replicator.catalogue.PublishedStore;
import org.fedoraproject.fedimg.replicator.domain.ReplicationEvents;
import org.fedoraproject.fedimg.replicator.job.RegionDone;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Every write of the replicator. Each returned Uni completes when the broker acknowledged the record
 * (the outgoing channels wait for the write), so callers ack their input only after their output is
 * durable. Per-region and aggregate records also update the in-memory {@link PublishedStore} once acked.
 * Each write names the {@link StageSpan} of the variant's job that makes it (null: none): the variants of one
 * image replicate side by side, so the image alone does not tell whose record it is.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    @Channel("published")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    MutinyEmitter<FedimgEvent> published;

    @Inject
    @Channel("status")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
    MutinyEmitter<FedimgEvent> status;

    @Inject
    @Channel("dead-letter")
    MutinyEmitter<FedimgEvent> deadLetter;

    @Inject
    PublishedStore store;

    /** The region's status events, then its result; the store learns the result once it is acked. */
    public Uni<Void> region(RegionDone done, StageSpan stage) {
        return Multi.createFrom().iterable(done.statuses())
                .onItem().transformToUniAndConcatenate(s -> send(status, s, stage))
                .collect().last()
                .chain(() -> send(published, done.result(), stage))
                .invoke(() -> store.put(done.result()));
    }

    /** A status event of its own: an AMI made private to make room under the public AMI quota. */
    public Uni<Void> status(StageStatus s, StageSpan stage) {
        return send(status, s, stage);
    }

    public Uni<Void> image(ImagePublished p, StageSpan stage) {
        return send(published, p, stage).invoke(() -> store.put(p));
    }

    public Uni<Void> deadLetter(DeadLetter d, StageSpan stage) {
        return send(deadLetter, d, stage);
    }

    private static <T extends FedimgEvent> Uni<Void> send(MutinyEmitter<FedimgEvent> emitter, T event, StageSpan stage) {
        return Uni.createFrom().deferred(() -> emitter.sendMessage(CloudEvents.message(event, ReplicationEvents.SERVICE,
                stage)));
    }

}
