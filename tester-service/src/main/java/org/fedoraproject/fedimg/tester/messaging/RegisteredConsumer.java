package org.fedoraproject.fedimg.tester.messaging;


import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.job.Publisher;
import org.fedoraproject.fedimg.tester.job.TestJob;
import org.fedoraproject.fedimg.tester.job.TesterMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * {@code fedimg.amis.registered} in; {@code fedimg.amis.tested}, {@code fedimg.status} and
 * {@code fedimg.dead-letter} out. The input is acknowledged only after every output is on the broker
 * and cleanup ran, so a crash redelivers it and the job resumes. Input that cannot be processed goes
 * to the dead-letter topic and is acknowledged; a failed test is a normal FAILED verdict. Anything
 * else (AWS unreachable past the SDK's retries, the broker down) nacks: the channel stops, liveness
 * goes down, and the restarted service gets the record again.
 */
@ApplicationScoped
public class RegisteredConsumer implements Publisher {

    private static final Logger LOG = Logger.getLogger(RegisteredConsumer.class);

    private final TestJob job;
    private final TesterConfig config;
    private final TesterMetrics metrics;
    private final MutinyEmitter<AmiTested> tested;
    private final MutinyEmitter<StageStatus> status;
    private final MutinyEmitter<DeadLetter> deadLetters;
    private final StageSpans spans;

    RegisteredConsumer(TestJob job, TesterConfig config, TesterMetrics metrics,
            @Channel("amis-tested") MutinyEmitter<AmiTested> tested,
            @Channel("status") MutinyEmitter<StageStatus> status,
            @Channel("dead-letter") MutinyEmitter<DeadLetter> deadLetters,
            OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        this.spans = new StageSpans(otel, !tracingOff, "test");
        this.job = job;
        this.config = config;
        this.metrics = metrics;
        this.tested = tested;
        this.status = status;
        this.deadLetters = deadLetters;
    }

    @Incoming("amis-registered")
    public Uni<Void> consume(Message<byte[]> message) {
        AmiRegistered event;
        try {
            event = EventJson.read(message.getPayload(), AmiRegistered.class);
        } catch (MalformedEventException e) {
            return deadLetter(message, null, DeadLetterReason.MALFORMED_MESSAGE, e.getMessage());
        }
        StageSpan stage = spans.consuming(message, event).ami(event.ami());
        AmiRegistered in = event;
        // the span ends once the verdict, or the dead letter, is written: a FAILED status or dead letter fails it
        return stage.covering(Uni.createFrom().deferred(() -> job.handle(in, this))
                .onItemOrFailure().transformToUni((outcome, failure) -> {
                    if (failure == null) {
                        return Uni.createFrom().completionStage(message.ack());
                    }
                    if (failure instanceof BadInputException bad) {
                        return deadLetter(message, in, bad.reason(), bad.getMessage());
                    }
                    LOG.errorf(failure, "testing %s failed without a verdict; not acknowledging it",
                            in.ami() == null ? in.eventId() : in.ami().amiId());
                    stage.failed(failure);
                    return Uni.createFrom().completionStage(message.nack(failure));
                }));
    }

    @Override
    public Uni<Void> started(AmiRegistered event, String testedAmiId, int attempt) {
        return status.sendMessage(CloudEvents.message(TesterEvents.started(event, testedAmiId, attempt),
                TesterEvents.SERVICE));
    }

    @Override
    public Uni<Void> verdict(AmiRegistered event, TestOutcome outcome) {
        int max = config.excerptMaxChars();
        LOG.infof("%s in %s: %s (%s)", event.ami().amiId(), event.ami().region(), outcome.verdict(), outcome.reason());
        return tested.sendMessage(CloudEvents.message(TesterEvents.tested(event, outcome, max), TesterEvents.SERVICE))
                .chain(() -> status.sendMessage(CloudEvents.message(TesterEvents.finished(event, outcome, max),
                        TesterEvents.SERVICE)));
    }

    private Uni<Void> deadLetter(Message<byte[]> message, AmiRegistered event, DeadLetterReason reason, String why) {
        LOG.warnf("dead letter (%s): %s", reason, why);
        metrics.deadLetter(reason.name());
        DeadLetter letter = DeadLetters.of(TesterEvents.SERVICE, DeadLetters.Input.kafka(message)).about(event)
                .refused(reason, why);
        Uni<Void> send = deadLetters.sendMessage(CloudEvents.message(letter, TesterEvents.SERVICE));
        if (event != null && event.ami() != null && event.ami().amiId() != null && event.image() != null) {
            send = send.chain(() -> status.sendMessage(CloudEvents.message(TesterEvents.rejected(event, why),
                    TesterEvents.SERVICE)));
        }
        return send.chain(() -> Uni.createFrom().completionStage(message.ack()));
    }
}
