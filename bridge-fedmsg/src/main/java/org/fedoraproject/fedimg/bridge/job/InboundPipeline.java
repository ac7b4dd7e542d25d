package org.fedoraproject.fedimg.bridge.job;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fedoraproject.fedimg.bridge.compose.ComposeMetadataClient;
import org.fedoraproject.fedimg.bridge.compose.ComposeMetadataClient.Located;
import org.fedoraproject.fedimg.bridge.compose.MetadataUnreachable;
import org.fedoraproject.fedimg.bridge.compose.TransientFailure;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.ComposeImage;
import org.fedoraproject.fedimg.bridge.domain.ComposeMessageParser;
import org.fedoraproject.fedimg.bridge.domain.ComposeStatusChange;
import org.fedoraproject.fedimg.bridge.domain.ImageEvents;
import org.fedoraproject.fedimg.bridge.domain.ReleaseNames;
import org.fedoraproject.fedimg.bridge.domain.SelectionRules;
import org.fedoraproject.fedimg.bridge.messaging.Outbox;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.KeyedTurns;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * From a compose status message to image events: parse (both body shapes), filter on status, deduplicate,
 * fetch and select the compose's EC2 images, write the events and wait for Kafka's acks, then remember the
 * message and compose. Bad input becomes a dead letter (and the Uni succeeds, so the message is acked);
 * a transient metadata-server failure is retried a few times, and any remaining failure (including a Kafka
 * write the producer gave up on) fails the Uni, so AMQP nacks and redelivers.
 */
@ApplicationScoped
public class InboundPipeline {

    private static final Logger LOG = Logger.getLogger(InboundPipeline.class);
    /** The most of an input's payload a dead letter carries. */
    static final int DEAD_LETTER_PAYLOAD_BYTES = 256 * 1024;

    private final BridgeConfig config;
    private final ComposeMessageParser parser;
    private final SelectionRules rules;
    private final ComposeMetadataClient metadata;
    private final Outbox sink;
    private final SeenStore seen;
    private final BridgeMetrics metrics;
    private final Clock clock = Clock.systemUTC();
    /** Compose ids whose message is being handled: completed when it is done (see {@link #handleChange}). */
    private final KeyedTurns composesInWork = new KeyedTurns();
    /** Tracing off until the application's configuration says otherwise (plain construction in tests). */
    private StageSpans spans = new StageSpans(OpenTelemetry.noop(), false, "bridge");

    public InboundPipeline(BridgeConfig config, ComposeMetadataClient metadata, Outbox sink, SeenStore seen,
            BridgeMetrics metrics) {
        this.config = config;
        this.metadata = metadata;
        this.sink = sink;
        this.seen = seen;
        this.metrics = metrics;
        Set<String> known = new LinkedHashSet<>(config.inbound().triggerStatuses());
        known.addAll(config.inbound().ignoredStatuses());
        this.parser = new ComposeMessageParser(known);
        BridgeConfig.Selection s = config.selection();
        this.rules = new SelectionRules(s.variants(), s.subvariants(), s.types(), s.arches(),
                s.preferFileNameContaining());
    }

    @Inject
    void tracing(OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        spans = new StageSpans(otel, !tracingOff, "bridge");
    }

    public SelectionRules rules() {
        return rules;
    }

    public Uni<InboundOutcome> handle(InboundMessage in) {
        if (in.topic() != null && !in.topic().endsWith(config.inbound().topicSuffix())) {
            metrics.received(in.source(), "other-topic");
            metrics.outcome(in.source(), "ignored");
            return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.IGNORED, "topic " + in.topic()));
        }
        if (in.payload() != null && in.payload().length > config.inbound().maxMessageBytes()) {
            metrics.received(in.source(), "invalid");
            return deadLetter(in, new BadInputException(DeadLetterReason.INPUT_TOO_LARGE, "the message has "
                    + in.payload().length + " bytes, more than fedimg.bridge.inbound.max-message-bytes ("
                    + config.inbound().maxMessageBytes() + ")"), null);
        }
        ComposeStatusChange change;
        try {
            change = parser.parse(json(in.payload()), in.transportId(), in.topic(), in.payload());
        } catch (BadInputException e) {
            metrics.received(in.source(), "invalid");
            return deadLetter(in, e, null);
        }
        metrics.received(in.source(), change.status());
        if (!config.inbound().triggerStatuses().contains(change.status())) {
            LOG.debugf("compose %s is %s: nothing to do", change.composeId(), change.status());
            metrics.outcome(in.source(), "ignored");
            return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.IGNORED, "status " + change.status()));
        }
        return handleChange(in, change).call(outcome -> outcome.kind() == InboundOutcome.Kind.RETRY_LATER
                ? Uni.createFrom().voidItem()
                : seen.unpark(change.messageId()).onFailure().invoke(e -> LOG.warnf("could not unpark %s: %s",
                        change.messageId(), e.getMessage())).onFailure().recoverWithNull());
    }

    /**
     * A message its transport already refused (e.g. an AMQP body declared as something else than UTF-8 JSON):
     * dead-lettered as MALFORMED_MESSAGE with the transport's reason, unless its topic is not ours.
     */
    public Uni<InboundOutcome> refuse(InboundMessage in, String why) {
        if (in.topic() != null && !in.topic().endsWith(config.inbound().topicSuffix())) {
            metrics.received(in.source(), "other-topic");
            metrics.outcome(in.source(), "ignored");
            return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.IGNORED, "topic " + in.topic()));
        }
        metrics.received(in.source(), "invalid");
        return deadLetter(in, new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, why), null);
    }

    /**
     * One copy of a compose's message at a time. The seen-store check below is taken before the events are written
     * and the keys remembered seconds later, so two copies that arrive together (a publisher sending again until it
     * sees a result, as local mode does over fedmsg; the same compose on two buses) both passed it and every image
     * was emitted twice. A copy that finds another in flight waits for it and then decides again: a duplicate if the
     * first was emitted, handled if the first failed.
     */
    private Uni<InboundOutcome> handleChange(InboundMessage in, ComposeStatusChange change) {
        return composesInWork.run(change.composeId(), () -> handleChangeAlone(in, change));
    }

    private Uni<InboundOutcome> handleChangeAlone(InboundMessage in, ComposeStatusChange change) {
        if (seen.seen("message:" + change.messageId())) {
            return duplicate(in, "message", "message " + change.messageId() + " already handled");
        }
        if (seen.seen("compose:" + change.composeId())) {
            return duplicate(in, "compose", "compose " + change.composeId() + " already handled");
        }
        ComposeStatusChange trusted;
        try {
            trusted = trustedLocation(change); // nothing is fetched from an untrusted location
        } catch (BadInputException e) {
            return deadLetter(in, e, change);
        }
        return process(in, trusted);
    }

    /** The change with its location checked against the compose sources (plain http upgraded to https). */
    private ComposeStatusChange trustedLocation(ComposeStatusChange change) {
        if (change.location() == null) {
            return change;
        }
        String location = metadata.sources().upgraded(change.location());
        metadata.sources().check(location);
        return location.equals(change.location()) ? change : new ComposeStatusChange(change.messageId(),
                change.topic(), change.composeId(), change.status(), location, change.releaseVersion(),
                change.composeType());
    }

    private Uni<InboundOutcome> process(InboundMessage in, ComposeStatusChange change) {
        LOG.infof("compose %s %s (message %s from %s)", change.composeId(), change.status(), change.messageId(),
                in.source());
        return processCompose(in.source(), change, new ImageEvents.Cause(change.messageId(), false, 0))
                .onFailure(BadInputException.class)
                .recoverWithUni(e -> deadLetter(in, (BadInputException) e, change))
                .onFailure(MetadataUnreachable.class)
                .recoverWithUni(e -> retryLater(in, change, (MetadataUnreachable) e));
    }

    /**
     * The metadata stayed unreachable through the in-process retries: park the message in the store (so it
     * leaves the bus queue and holds back nothing behind it) for a later attempt, or, past the cap in count or
     * time per message, dead-letter it as METADATA_UNREACHABLE with the real cause.
     */
    private Uni<InboundOutcome> retryLater(InboundMessage in, ComposeStatusChange change, MetadataUnreachable e) {
        BridgeConfig.Inbound c = config.inbound();
        Instant now = clock.instant();
        ParkedMessage before = seen.parked(change.messageId()).map(ParkedMessage::read).orElse(null);
        int attempts = before == null ? 1 : before.attempts() + 1;
        Instant first = before == null ? now : before.firstFailure();
        if (attempts >= c.maxAttempts() || !Duration.between(first, now).minus(c.giveUpAfter()).isNegative()) {
            metrics.retry("gave-up");
            LOG.errorf("compose %s: giving up after %d attempts since %s: %s", change.composeId(), attempts, first,
                    e.getMessage());
            return deadLetter(in, new BadInputException(DeadLetterReason.METADATA_UNREACHABLE, e.getMessage()
                    + " (" + attempts + " attempts since " + first + ")"), change);
        }
        long factor = 1L << Math.min(attempts - 1, 20);
        Duration delay = c.retryDelay().multipliedBy(factor);
        if (delay.compareTo(c.retryDelayMax()) > 0) {
            delay = c.retryDelayMax();
        }
        ParkedMessage parked = ParkedMessage.of(in, attempts, first, now.plus(delay), e.getMessage());
        LOG.warnf("compose %s: %s; attempt %d of %d, next in %s", change.composeId(), e.getMessage(), attempts,
                c.maxAttempts(), delay);
        metrics.retry("parked");
        metrics.outcome(in.source(), "retry-later");
        // a failure to park fails the Uni: the transport then redelivers the message, nothing is lost
        return seen.park(change.messageId(), parked.bytes())
                .onFailure().transform(f -> new TransientFailure("parking message " + change.messageId()
                        + " failed: " + f, f))
                .replaceWith(InboundOutcome.of(InboundOutcome.Kind.RETRY_LATER, e.getMessage()));
    }

    /**
     * Emits the image events of a compose. Used by bus messages and by the manual trigger (which passes its
     * own cause, possibly forced); bad input fails the Uni with {@link BadInputException}.
     */
    public Uni<InboundOutcome> processCompose(String source, ComposeStatusChange change, ImageEvents.Cause cause) {
        Instant begun = clock.instant();
        Uni<Located> located = change.location() != null
                ? metadata.images(change.location()).map(images -> new Located(change.location(), images))
                : metadata.locate(change.composeId());
        return withTransientRetries(located).chain(loc -> {
            if (!change.composeId().equals(loc.images().composeId())) {
                // e.g. a latest-* symlink that moved on to a newer compose since the message was sent
                throw new BadInputException(DeadLetterReason.METADATA_INVALID, "images.json at " + loc.location()
                        + " is for compose " + loc.images().composeId() + ", not " + change.composeId());
            }
            List<ComposeImage> selected = rules.select(loc.images().images());
            if (selected.isEmpty()) {
                throw new BadInputException(DeadLetterReason.NO_EC2_IMAGES,
                        "compose " + change.composeId() + " has no image matching the EC2 selection rules");
            }
            String release = change.releaseVersion() != null ? change.releaseVersion()
                    : ReleaseNames.fromComposeId(change.composeId());
            String composeType = Stream.of(change.composeType(), loc.images().composeType(),
                    ReleaseNames.composeTypeFromId(change.composeId())).filter(t -> t != null).findFirst()
                    .orElse(null);
            List<ImageReady> events = ImageEvents.forCompose(cause, change.composeId(), loc.location(), release,
                    composeType, selected, clock.instant());
            // images.json names each file by a path under the compose: "../", or a whole URL, must not lead away
            events.forEach(e -> metadata.sources().check(e.image().url()));
            return emit(source, events, Stream.of("message:" + change.messageId(), "compose:" + change.composeId()),
                    cause.messageId(), begun);
        });
    }

    /**
     * Writes events, waits for Kafka, then remembers the message, compose and image keys. Each image's trace
     * starts here with a span from {@code begun} (when the message was taken up; null: now) to that point.
     */
    public Uni<InboundOutcome> emit(String source, List<ImageReady> events, Stream<String> extraKeys, String by,
            Instant begun) {
        Set<String> keys = new LinkedHashSet<>();
        extraKeys.forEach(keys::add);
        events.forEach(e -> keys.add("image:" + e.imageKey()));
        SpanKind kind = "trigger".equals(source) ? SpanKind.INTERNAL : SpanKind.CONSUMER;
        List<StageSpan> stages = events.stream().map(e -> spans.starting(null, e, kind, begun)
                .attribute("fedimg.bridge.source", source).attribute("messaging.message.id", by)).toList();
        // no retries here: the Kafka producer already retries until its delivery timeout; a failure nacks
        return sink.images(events)
                .onFailure().transform(e -> new TransientFailure("writing image events to Kafka failed: " + e, e))
                .chain(() -> seen.remember(keys, by)
                        .onFailure().transform(e -> new TransientFailure("writing dedup keys failed: " + e, e)))
                // continue off the Kafka producer's I/O thread: the AMQP ack and logging happen downstream
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(x -> {
                    metrics.imagesEmitted(source, events.size());
                    metrics.outcome(source, "emitted");
                    events.forEach(e -> LOG.infof("image ready: %s (%s, sha256 %s)", e.imageKey(), e.image().url(),
                            e.image().sha256()));
                    return new InboundOutcome(InboundOutcome.Kind.EMITTED, events, events.size() + " image(s)");
                })
                .onTermination().invoke((outcome, failure, cancelled) -> stages.forEach(s -> s.end(failure)));
    }

    private <T> Uni<T> withTransientRetries(Uni<T> uni) {
        int retries = config.inbound().transientRetries();
        if (retries <= 0) {
            return uni;
        }
        return uni.onFailure(TransientFailure.class).invoke(e -> LOG.warnf("transient failure, retrying: %s",
                e.getMessage()))
                .onFailure(TransientFailure.class).retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .atMost(retries);
    }

    private Uni<InboundOutcome> duplicate(InboundMessage in, String kind, String detail) {
        LOG.infof("duplicate from %s: %s", in.source(), detail);
        metrics.duplicate(kind);
        metrics.outcome(in.source(), "duplicate");
        return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.DUPLICATE, detail));
    }

    private Uni<InboundOutcome> deadLetter(InboundMessage in, BadInputException e, ComposeStatusChange change) {
        metrics.outcome(in.source(), "dead-lettered");
        // the message id from the body when it could be read, else the transport's
        String id = change != null ? change.messageId() : in.transportId();
        // a payload near the message bound would not fit in the dead-letter record (Kafka's 1 MiB): cut it
        DeadLetters.Input input = DeadLetters.Input.bus(in.source(), in.topic(), id, in.payload(), in.headers())
                .truncatedTo(DEAD_LETTER_PAYLOAD_BYTES);
        return sink.deadLetter(DeadLetters.of(Outbox.SERVICE, input)
                .compose(change == null ? null : change.composeId()).refused(e.reason(), e.getMessage()))
                .onFailure().transform(f -> new TransientFailure("writing the dead letter failed: " + f, f))
                .replaceWith(InboundOutcome.of(InboundOutcome.Kind.DEAD_LETTERED, e.reason() + ": " + e.getMessage()));
    }

    private static JsonNode json(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "empty message");
        }
        try {
            // a key given twice is read differently by different parsers (and signature checks): refused
            return EventJson.MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(payload);
        } catch (IOException e) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "message is not JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
