package org.fedoraproject.fedimg.replicator.messaging;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.replicator.domain.ReplicationEvents;
import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.replicator.job.ReplicationJob;
import org.fedoraproject.fedimg.replicator.job.ReplicationJob.JobFailure;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Consumes {@code fedimg.amis.tested}. Each record becomes a replication job that runs detached, at most
 * {@code fedimg.replicator.jobs.max-concurrent} at a time (the method returns once the job has a slot, so
 * the variants of one image, which share a partition, replicate side by side). The record is acked only
 * when the job's output is acknowledged by the broker; the throttled commit strategy commits offsets
 * below the oldest unacked record, so a crash redelivers every unfinished job.
 */
@ApplicationScoped
public class TestedConsumer {

    private static final Logger LOG = Logger.getLogger(TestedConsumer.class);

    @Inject
    ReplicationJob job;
    @Inject
    Outbox outbox;
    @Inject
    AsyncSemaphore slots;
    @Inject
    ReplicatorMetrics metrics;

    private StageSpans spans;

    @Inject
    void tracing(OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        spans = new StageSpans(otel, !tracingOff, "replicate");
    }

    @Incoming("tested")
    public Uni<Void> onTested(Message<byte[]> message) {
        DeadLetters.Input input = DeadLetters.Input.kafka(message);
        AmiTested tested = null;
        try {
            tested = EventJson.read(message.getPayload(), AmiTested.class);
            if (tested.eventId() == null || tested.imageKey() == null) {
                throw new MalformedEventException("AmiTested without eventId or imageKey");
            }
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed record from %s: %s", Topics.AMIS_TESTED, e.getMessage());
            return outbox.deadLetter(DeadLetters.of(ReplicationEvents.SERVICE, input).about(tested)
                    .unreadable(e.getMessage()), null)
                    .onItemOrFailure().transformToUni((x, t) -> t == null
                            ? Uni.createFrom().completionStage(message.ack())
                            : Uni.createFrom().completionStage(message.nack(t)));
        }
        // started before the wait for a slot, which is part of the stage's time
        AmiTested in = tested;
        StageSpan stage = spans.consuming(message, in).ami(in.ami());
        return slots.acquire().invoke(() -> start(in, input, message, stage))
                .onFailure().invoke(t -> stage.end(t))
                .onCancellation().invoke(() -> stage.end());
    }

    private void start(AmiTested tested, DeadLetters.Input input, Message<byte[]> message, StageSpan stage) {
        // Off the event loop: an SDK call marshals and signs on the calling thread (and loads classes the first time).
        job.run(tested, input, stage)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(JobFailure.class).recoverWithUni(t -> {
                    JobFailure f = (JobFailure) t;
                    LOG.errorf("dead-lettering %s: %s", tested.imageKey(), f.getMessage());
                    return outbox.deadLetter(ReplicationJob.deadLetter(tested, input, f.code(), f.getMessage()), stage)
                            .invoke(() -> metrics.jobFinished("dead-lettered"));
                })
                .eventually(slots::release)
                .subscribe().with(
                        x -> {
                            stage.end();
                            message.ack();
                            metrics.jobFinished("acked");
                        },
                        t -> {
                            // Output could not be written (broker trouble): leave the record unacked for redelivery.
                            LOG.errorf(t, "replication of %s failed; the record will be redelivered", tested.imageKey());
                            stage.end(t);
                            message.nack(t);
                            metrics.jobFinished("nacked");
                        });
    }
}
