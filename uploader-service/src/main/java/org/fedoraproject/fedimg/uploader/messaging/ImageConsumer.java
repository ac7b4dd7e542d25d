package org.fedoraproject.fedimg.uploader.messaging;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.KeyedTurns;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.sources.SourcesConfig;
import org.fedoraproject.fedimg.sources.TrustedSources;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.UploadEvents;
import org.fedoraproject.fedimg.uploader.job.ImageUploader;
import org.fedoraproject.fedimg.uploader.metrics.UploadMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Reads {@code fedimg.images} as raw bytes; step 1 of an upload (the README's "Steps of one image"): unparseable
 * or incomplete events become a dead letter, and so does an image from an untrusted source (UNTRUSTED_SOURCE,
 * {@code fedimg.sources.*}) or larger than the bounds (IMAGE_TOO_LARGE), before any AWS call; every other one is
 * uploaded ({@code job.ImageUploader}, steps 2-5). The record is acked only when all of the image's events are written, so a crash
 * redelivers it and the idempotent job resumes. Several images run at once, up to {@code max-concurrent-jobs}, whatever
 * partitions they are on (the throttled commit strategy commits only below the oldest unfinished record).
 */
@ApplicationScoped
public class ImageConsumer {

    private static final Logger LOG = Logger.getLogger(ImageConsumer.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    @Inject
    ImageUploader uploader;

    @Inject
    Outbox outbox;

    @Inject
    UploadMetrics metrics;

    @Inject
    UploaderConfig config;

    private TrustedSources sources;
    private AsyncSemaphore slots;
    private final KeyedTurns turns = new KeyedTurns();

    @Inject
    void slots(UploaderConfig uploaderConfig) {
        slots = new AsyncSemaphore(uploaderConfig.maxConcurrentJobs());
    }

    @Inject
    void sources(SourcesConfig sourcesConfig) {
        sources = sourcesConfig.policy();
    }

    private StageSpans spans;

    @Inject
    void tracing(OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        spans = new StageSpans(otel, !tracingOff, "upload");
    }

    @Incoming("images")
    public Uni<Void> consume(Message<byte[]> message) {
        DeadLetters.Input input = DeadLetters.Input.kafka(message);
        ImageReady event = null;
        try {
            event = EventJson.read(message.getPayload(), ImageReady.class);
            validate(event);
        } catch (MalformedEventException e) {
            return deadLetter(input, event, e.getMessage()).chain(() -> ack(message));
        }
        ImageReady ready = event;
        try {
            sources.check(ready.image().url());
            checkBounds(ready.image());
        } catch (BadInputException e) {
            return refused(input, ready, e).chain(() -> ack(message));
        }
        // the host's addresses (DNS: off the event loop) before any AWS call
        return Uni.createFrom().item(() -> {
            try {
                sources.checkResolved(java.net.URI.create(ready.image().url()));
            } catch (java.net.UnknownHostException e) {
                // not the input's fault for sure: the download retries and says so if it stays so
                LOG.warnf("image %s: %s", ready.imageKey(), e.getMessage());
            }
            return ready;
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(BadInputException.class).call(e -> refused(input, ready, (BadInputException) e))
                .onFailure(BadInputException.class).recoverWithNull()
                .chain(checked -> checked == null ? ack(message) : upload(message, input, checked));
    }

    /**
     * Completes once the upload holds one of {@code max-concurrent-jobs} slots, so the channel can take its next
     * record (the other image of the compose may share this one's partition); the upload then runs in the
     * background, after any upload of the same image in this process, and settles its record itself.
     */
    private Uni<Void> upload(Message<byte[]> message, DeadLetters.Input input, ImageReady event) {
        return slots.acquire().invoke(() -> turns.run(event.imageKey(), () -> uploadAndSettle(message, input, event))
                .eventually(slots::release)
                .subscribe().with(x -> {
                }, t -> LOG.errorf(t, "upload of %s ended without acknowledging its record", event.imageKey())));
    }

    /** The upload and its record's ack; a failure to write its events (the broker) nacks, which stops the channel. */
    private Uni<Void> uploadAndSettle(Message<byte[]> message, DeadLetters.Input input, ImageReady event) {
        StageSpan stage = spans.consuming(message, event).attribute("fedimg.upload.method", uploader.method());
        LOG.infof("image %s (event %s): uploading with %s", event.imageKey(), event.eventId(), uploader.method());
        // the upload ends with its events written; its FAILED statuses and dead letter fail the span
        return stage.covering(Uni.createFrom().deferred(() -> uploader.upload(event, input))).chain(() -> ack(message))
                .onFailure().call(t -> Uni.createFrom().completionStage(message.nack(t)));
    }

    private static void validate(ImageReady e) {
        require(e.eventId() != null && !e.eventId().isBlank(), "eventId is missing");
        require(e.imageKey() != null && !e.imageKey().isBlank(), "imageKey is missing");
        require(e.composeId() != null && !e.composeId().isBlank(), "composeId is missing");
        require(e.traceId() != null && !e.traceId().isBlank(), "traceId is missing");
        ImageSpec i = e.image();
        require(i != null, "image is missing");
        require(i.url() != null && !i.url().isBlank(), "image.url is missing");
        require(i.name() != null && !i.name().isBlank(), "image.name is missing");
        require(i.fileName() != null && !i.fileName().isBlank(), "image.fileName is missing");
        require(i.sha256() != null && SHA256.matcher(i.sha256()).matches(), "image.sha256 is not a SHA-256 hex digest");
        require(i.sizeBytes() > 0, "image.sizeBytes must be positive");
        require("x86_64".equals(i.arch()) || "aarch64".equals(i.arch()), "image.arch must be x86_64 or aarch64");
        require(i.respin() >= 0, "image.respin must not be negative");
    }

    /** The compressed size the compose declares, against the configured maximum and the largest volume. */
    private void checkBounds(ImageSpec i) {
        long max = config.download().maxImageBytes();
        long volume = config.ebs().maxVolumeSizeGib() * 1024L * 1024 * 1024;
        if (i.sizeBytes() > max) {
            throw new BadInputException(DeadLetterReason.IMAGE_TOO_LARGE, "the image " + i.url() + " declares "
                    + i.sizeBytes() + " bytes, more than fedimg.uploader.download.max-image-bytes (" + max + ")");
        }
        if (i.sizeBytes() > volume) {
            throw new BadInputException(DeadLetterReason.IMAGE_TOO_LARGE, "the image " + i.url() + " declares "
                    + i.sizeBytes() + " compressed bytes, more than the largest volume ("
                    + config.ebs().maxVolumeSizeGib() + " GiB, fedimg.uploader.ebs.max-volume-size-gib)");
        }
    }

    private Uni<Void> refused(DeadLetters.Input input, ImageReady event, BadInputException e) {
        LOG.errorf("dead letter for %s (%s): %s %s", input.source(), input.id(), e.reason(), e.getMessage());
        metrics.deadLetter(e.reason().name());
        return outbox.deadLetter(DeadLetters.of(UploadEvents.SERVICE, input).about(event).refused(e.reason(),
                e.getMessage()));
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new MalformedEventException("not a usable ImageReady: " + problem);
        }
    }

    private Uni<Void> deadLetter(DeadLetters.Input input, ImageReady readAsFarAsPossible, String reason) {
        LOG.errorf("dead letter for %s (%s): %s", input.source(), input.id(), reason);
        metrics.deadLetter(DeadLetterReason.MALFORMED_MESSAGE.name());
        return outbox.deadLetter(DeadLetters.of(UploadEvents.SERVICE, input).about(readAsFarAsPossible).unreadable(reason));
    }

    private static Uni<Void> ack(Message<?> message) {
        return Uni.createFrom().completionStage(message::ack);
    }
}
