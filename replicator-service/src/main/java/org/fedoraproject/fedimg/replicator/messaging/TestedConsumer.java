package org.fedoraproject.fedimg.replicator.messaging;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.replicator.job.ReplicationEngine;
import org.fedoraproject.fedimg.replicator.job.ReplicationJob;
import org.fedoraproject.fedimg.replicator.job.ReplicationJob.JobFailure;
import org.fedoraproject.fedimg.replicator.job.JobSlots;
import org.fedoraproject.fedimg.replicator.job.ReplicatorMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
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
    JobSlots slots;
    @Inject
    ReplicatorMetrics metrics;

    private StageSpans spans;

    @Inject
    void tracing(OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        spans = new StageSpans(otel, !tracingOff, "replicate");
    }

    @Incoming("tested")
    public Uni<Void> onTested(Message<byte[]> message) {
        AmiTested tested;
        try {
            tested = EventJson.read(message.getPayload(), AmiTested.class);
            if (tested.eventId() == null || tested.imageKey() == null) {
                throw new MalformedEventException("AmiTested without eventId or imageKey");
            }
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed record from %s: %s", Topics.AMIS_TESTED, e.getMessage());
            return outbox.deadLetter(malformed(message, e.getMessage()), null)
                    .onItemOrFailure().transformToUni((x, t) -> t == null
                            ? Uni.createFrom().completionStage(message.ack())
                            : Uni.createFrom().completionStage(message.nack(t)));
        }
        // started before the wait for a slot, which is part of the stage's time
        StageSpan stage = spans.consuming(message, tested).ami(tested.ami());
        return slots.acquire().invoke(() -> start(tested, message, stage))
                .onFailure().invoke(t -> stage.end(t))
                .onCancellation().invoke(() -> stage.end());
    }

    private void start(AmiTested tested, Message<byte[]> message, StageSpan stage) {
        // Off the event loop: an SDK call marshals and signs on the calling thread (and loads classes the first time).
        job.run(tested, stage)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(JobFailure.class).recoverWithUni(t -> {
                    JobFailure f = (JobFailure) t;
                    LOG.errorf("dead-lettering %s: %s", tested.imageKey(), f.getMessage());
                    return outbox.deadLetter(job.deadLetter(tested, f.code(), f.getMessage()), stage)
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

    private static DeadLetter malformed(Message<byte[]> message, String reason) {
        Map<String, String> headers = new LinkedHashMap<>();
        String source = Topics.AMIS_TESTED;
        var meta = message.getMetadata(IncomingKafkaRecordMetadata.class);
        if (meta.isPresent()) {
            IncomingKafkaRecordMetadata<?, ?> m = meta.get();
            source = m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset();
            m.getHeaders().forEach(h -> headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8)));
        }
        return new DeadLetter(EventIds.derived(source, "malformed"), null, null, null, Instant.now(),
                ReplicationEngine.SERVICE, source, DeadLetterReason.MALFORMED_MESSAGE.name(), reason,
                payload(message.getPayload()), headers);
    }

    private static String payload(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
