package org.fedoraproject.fedimg.uploader.messaging;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.messaging.StageSpans;
import org.fedoraproject.fedimg.uploader.ImageUploader;
import org.fedoraproject.fedimg.uploader.domain.UploadEvents;
import org.fedoraproject.fedimg.uploader.metrics.UploadMetrics;
import org.jboss.logging.Logger;

import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Reads {@code fedimg.images} as raw bytes. Unparseable or incomplete events become a dead letter; every
 * other one is uploaded. The record is acked only when all of the image's events are written, so a crash
 * redelivers it and the idempotent job resumes. Several images run at once through the channel's
 * {@code concurrency} copies (one in flight per copy, each on its own partitions).
 */
@ApplicationScoped
public class ImageConsumer {

    private static final Logger LOG = Logger.getLogger(ImageConsumer.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    @Inject
    ImageUploader uploader;

    @Inject
    EventSink sink;

    @Inject
    UploadMetrics metrics;

    private StageSpans spans;

    @Inject
    void tracing(OpenTelemetry otel, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean tracingOff) {
        spans = new StageSpans(otel, !tracingOff, "upload");
    }

    @Incoming("images")
    public Uni<Void> consume(Message<byte[]> message) {
        byte[] payload = message.getPayload();
        ImageReady event;
        try {
            event = EventJson.read(payload, ImageReady.class);
            validate(event);
        } catch (MalformedEventException e) {
            return deadLetter(message, e.getMessage()).chain(() -> ack(message));
        }
        StageSpan stage = spans.consuming(message, event).attribute("fedimg.upload.method", uploader.method());
        LOG.infof("image %s (event %s): uploading with %s", event.imageKey(), event.eventId(), uploader.method());
        // the upload ends with its events written; its FAILED statuses and dead letter fail the span
        return stage.covering(uploader.upload(event, text(payload))).chain(() -> ack(message));
    }

    private static void validate(ImageReady e) {
        require(e.eventId() != null && !e.eventId().isBlank(), "eventId is missing");
        require(e.imageKey() != null && !e.imageKey().isBlank(), "imageKey is missing");
        require(e.composeId() != null && !e.composeId().isBlank(), "composeId is missing");
        require(e.traceId() != null && !e.traceId().isBlank(), "traceId is missing");
        ImageSpec i = e.image();
        require(i != null, "image is missing");
        require(i.url() != null && (i.url().startsWith("http://") || i.url().startsWith("https://")),
                "image.url is not an http(s) URL");
        require(i.name() != null && !i.name().isBlank(), "image.name is missing");
        require(i.fileName() != null && !i.fileName().isBlank(), "image.fileName is missing");
        require(i.sha256() != null && SHA256.matcher(i.sha256()).matches(), "image.sha256 is not a SHA-256 hex digest");
        require(i.sizeBytes() > 0, "image.sizeBytes must be positive");
        require("x86_64".equals(i.arch()) || "aarch64".equals(i.arch()), "image.arch must be x86_64 or aarch64");
        require(i.respin() >= 0, "image.respin must not be negative");
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new MalformedEventException("not a usable ImageReady: " + problem);
        }
    }

    private Uni<Void> deadLetter(Message<byte[]> message, String reason) {
        Map<String, String> headers = new LinkedHashMap<>();
        String where = "unknown";
        var meta = message.getMetadata(IncomingKafkaRecordMetadata.class);
        if (meta.isPresent()) {
            IncomingKafkaRecordMetadata<?, ?> m = meta.get();
            where = m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset();
            for (Header h : m.getHeaders()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        String id = EventIds.derived("dead-letter", UploadEvents.SERVICE, headers.getOrDefault("ce_id", where));
        String imageKey = headers.get("ce_subject");
        LOG.errorf("dead letter for %s: %s", where, reason);
        metrics.deadLetter(DeadLetterReason.MALFORMED_MESSAGE.name());
        DeadLetter dl = new DeadLetter(id, imageKey, null, headers.getOrDefault("ce_id", id), Instant.now(),
                UploadEvents.SERVICE, Topics.IMAGES, DeadLetterReason.MALFORMED_MESSAGE.name(), reason,
                text(message.getPayload()), headers);
        return sink.deadLetter(dl);
    }

    private static Uni<Void> ack(Message<?> message) {
        return Uni.createFrom().completionStage(message::ack);
    }

    /** The payload as UTF-8, or base64 with a "base64:" prefix when it is not text. */
    static String text(byte[] payload) {
        if (payload == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(payload);
        }
    }
}
