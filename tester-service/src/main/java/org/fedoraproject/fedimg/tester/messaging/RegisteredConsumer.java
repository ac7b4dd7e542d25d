package org.fedoraproject.fedimg.tester.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.JobLanes;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.tester.domain.TesterEvents;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.job.TestJob;
import org.fedoraproject.fedimg.tester.metrics.TesterMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;

/**
 * {@code fedimg.amis.registered} in; {@code fedimg.amis.tested}, {@code fedimg.status} and
 * {@code fedimg.dead-letter} out through the {@link Outbox}. Jobs run side by side ({@link JobLanes}). The input is
 * acknowledged only after every output is on the broker
 * and cleanup ran, so a crash redelivers it and the job resumes. Input that cannot be processed goes
 * to the dead-letter topic and is acknowledged; a failed test is a normal FAILED verdict. Anything
 * else (AWS unreachable past the SDK's retries, the broker down) nacks: the channel stops, liveness
 * goes down, and the restarted service gets the record again.
 */
@ApplicationScoped
public class RegisteredConsumer {

    private static final Logger LOG = Logger.getLogger(RegisteredConsumer.class);

    private final TestJob job;
    private final JobLanes lanes;
    private final boolean lanePerImage;
    private final Outbox outbox;
    private final TesterMetrics metrics;
    private final StageSpans spans;

    RegisteredConsumer(TestJob job, TesterConfig config, Outbox outbox, TesterMetrics metrics, OpenTelemetry otel,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        this.spans = new StageSpans(otel, !tracingOff, "test");
        this.job = job;
        this.lanes = new JobLanes(config.maxConcurrentJobs());
        // one-per-group: the siblings of an image one after the other, so the first boots the representative for
        // all (SiblingSelection); otherwise one lane per AMI, and only its redeliveries wait for it
        this.lanePerImage = config.selection() == TesterConfig.Selection.ONE_PER_GROUP;
        this.outbox = outbox;
        this.metrics = metrics;
    }

    @Incoming("amis-registered")
    public Uni<Void> consume(Message<byte[]> message) {
        AmiRegistered event;
        try {
            event = EventJson.read(message.getPayload(), AmiRegistered.class);
        } catch (MalformedEventException e) {
            return deadLetter(message, null, DeadLetterReason.MALFORMED_MESSAGE, e.getMessage(), null);
        }
        // started before the wait for a job slot, which is part of the stage's time
        StageSpan stage = spans.consuming(message, event).ami(event.ami());
        AmiRegistered in = event;
        String lane = lanePerImage ? "image " + in.imageKey()
                : "ami " + (in.ami() == null ? in.eventId() : in.ami().amiId());
        return lanes.start(lane, () -> test(message, in, stage));
    }

    /** The job and the settling of its record; a failure to write its output nacks the record. */
    private Uni<Void> test(Message<byte[]> message, AmiRegistered in, StageSpan stage) {
        // the span ends once the verdict, or the dead letter, is written: a FAILED status or dead letter fails it
        return stage.covering(Uni.createFrom().deferred(() -> job.handle(in, outbox.within(stage)))
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (failure == null) {
                        return Uni.createFrom().completionStage(message.ack());
                    }
                    if (failure instanceof BadInputException bad) {
                        return deadLetter(message, in, bad.reason(), bad.getMessage(), stage);
                    }
                    LOG.errorf(failure, "testing %s failed without a verdict; not acknowledging it",
                            in.ami() == null ? in.eventId() : in.ami().amiId());
                    stage.failed(failure);
                    return Uni.createFrom().completionStage(message.nack(failure));
                }))
                .onFailure().call(t -> Uni.createFrom().completionStage(message.nack(t)));
    }

    private Uni<Void> deadLetter(Message<byte[]> message, AmiRegistered event, DeadLetterReason reason, String why,
            StageSpan stage) {
        LOG.warnf("dead letter (%s): %s", reason, why);
        metrics.deadLetter(reason.name());
        DeadLetter letter = DeadLetters.of(TesterEvents.SERVICE, DeadLetters.Input.kafka(message)).about(event)
                .refused(reason, why);
        return outbox.deadLetter(letter, event, stage).chain(() -> Uni.createFrom().completionStage(message.ack()));
    }
}
