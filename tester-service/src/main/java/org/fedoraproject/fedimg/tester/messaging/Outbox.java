package org.fedoraproject.fedimg.tester.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.domain.TesterEvents;
import org.fedoraproject.fedimg.tester.job.Publisher;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Every write of the tester: {@code fedimg.amis.tested}, {@code fedimg.status} and {@code fedimg.dead-letter}.
 * Each returned Uni completes when the broker acknowledged the record, so the input is acked only after its
 * output is durable.
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final TesterConfig config;
    private final MutinyEmitter<AmiTested> tested;
    private final MutinyEmitter<StageStatus> status;
    private final MutinyEmitter<DeadLetter> deadLetters;

    Outbox(TesterConfig config, @Channel("amis-tested") MutinyEmitter<AmiTested> tested,
            @Channel("status") MutinyEmitter<StageStatus> status,
            @Channel("dead-letter") MutinyEmitter<DeadLetter> deadLetters) {
        this.config = config;
        this.tested = tested;
        this.status = status;
        this.deadLetters = deadLetters;
    }

    /**
     * The writes of one job, naming its stage span as the parent of what it writes: the variants of one image are
     * tested at the same time, so "the image's open span" would be either one's (null: none).
     */
    public Publisher within(StageSpan stage) {
        return new Publisher() {
            @Override
            public Uni<Void> started(AmiRegistered event, String testedAmiId, int attempt) {
                return status.sendMessage(CloudEvents.message(TesterEvents.started(event, testedAmiId, attempt),
                        TesterEvents.SERVICE, stage));
            }

            @Override
            public Uni<Void> verdict(AmiRegistered event, TestOutcome outcome) {
                int max = config.excerptMaxChars();
                LOG.infof("%s in %s: %s (%s)", event.ami().amiId(), event.ami().region(), outcome.verdict(),
                        outcome.reason());
                return tested.sendMessage(CloudEvents.message(TesterEvents.tested(event, outcome, max),
                        TesterEvents.SERVICE, stage))
                        .chain(() -> status.sendMessage(CloudEvents.message(TesterEvents.finished(event, outcome, max),
                                TesterEvents.SERVICE, stage)));
            }
        };
    }

    /** The dead letter, then a FAILED status when the input was understood well enough to name its AMI. */
    public Uni<Void> deadLetter(DeadLetter letter, AmiRegistered event, StageSpan stage) {
        Uni<Void> send = deadLetters.sendMessage(CloudEvents.message(letter, TesterEvents.SERVICE, stage));
        if (event != null && event.ami() != null && event.ami().amiId() != null && event.image() != null) {
            send = send.chain(() -> status.sendMessage(CloudEvents.message(TesterEvents.rejected(event, letter.reason()),
                    TesterEvents.SERVICE, stage)));
        }
        return send;
    }
}
