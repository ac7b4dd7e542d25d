package org.fedoraproject.fedimg.messaging;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.FedimgEvent;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * The W3C Trace Context {@code traceparent} header (OpenTelemetry's default propagation format) on every
 * record the services write, so one image's work is one trace across the four services.
 *
 * <p>The header is set here rather than by the Kafka connector's OpenTelemetry support (its
 * {@code tracing-enabled} is off on every channel) because the services write from emitters on AWS SDK
 * completion threads, where OpenTelemetry's current context is not the incoming record's; the context travels
 * with the image's work instead (see {@link #received} and {@link StageSpans}).
 *
 * <p>An outgoing record keeps the trace id (and sampled flag) of the input record that caused it. An input
 * without the header (the bus, a replay, an older producer) starts a trace whose id is derived from the event's
 * {@code traceId} and image key: one image of one compose message is one trace, and a redelivery or a replay
 * without force joins it. While a recording {@link StageSpan} of the image's work is open (tracing switched on,
 * docs/operations.md), the parent span id is that span's, so the exported spans link service to service.
 * Otherwise (the default) it is derived from the outgoing event id, so a redelivered input produces identical
 * headers.
 */
public final class TraceContext {

    public static final String HEADER = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$");
    private static final String INVALID_TRACE = "0".repeat(32);
    private static final String SAMPLED = "01";
    /** Images in flight per service are far fewer; the oldest entries are forgotten first. */
    private static final int REMEMBERED = 10_000;

    /** The work of one image (event traceId + image key) → the trace id and flags of its last input. */
    private static final Map<String, String[]> INPUTS = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * The work of one image → its open, recording stage span. A service runs one stage of an image at a time,
     * except the tester's and the replicator's variants, which name their span when they write
     * ({@link CloudEvents#message(FedimgEvent, String, StageSpan)}).
     */
    private static final Map<String, StageSpan> STAGES = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, StageSpan> eldest) {
            return size() > REMEMBERED;
        }
    };

    private TraceContext() {
    }

    /** Remembers the trace of an input record, so the events it causes continue it. */
    public static void received(Message<?> incoming, FedimgEvent event) {
        incoming.getMetadata(IncomingKafkaRecordMetadata.class)
                .ifPresent(m -> received(header(m.getHeaders()), event));
    }

    /** The same, for a header read by other means; null or malformed headers are ignored. */
    public static void received(String traceparent, FedimgEvent event) {
        parse(traceparent).ifPresent(p -> {
            synchronized (INPUTS) {
                INPUTS.put(work(event), new String[] {p.traceId(), p.flags()});
            }
        });
    }

    /** The {@code traceparent} value for an outgoing event: the open stage span of its work is its parent. */
    public static String traceparent(FedimgEvent event) {
        return traceparent(event, stageOf(event));
    }

    /** The same, for an event written by the given stage (null: none). */
    public static String traceparent(FedimgEvent event, StageSpan stage) {
        return stage != null && stage.recording() ? stage.traceparent() : derived(event);
    }

    /** The header without a span: the input's trace (or the derived one) and a span id derived from the event id. */
    static String derived(FedimgEvent event) {
        String[] input;
        synchronized (INPUTS) {
            input = INPUTS.get(work(event));
        }
        String traceId = input != null ? input[0] : hex(EventIds.derived("trace", work(event)));
        String flags = input != null ? input[1] : SAMPLED;
        return "00-" + traceId + "-" + hex(EventIds.derived("span", String.valueOf(event.eventId()))).substring(0, 16)
                + "-" + flags;
    }

    /** The open, recording stage span of the event's work, or null. */
    static StageSpan stageOf(FedimgEvent event) {
        synchronized (STAGES) {
            return STAGES.get(work(event));
        }
    }

    static void started(StageSpan stage) {
        if (stage.recording()) {
            synchronized (STAGES) {
                STAGES.put(stage.work(), stage);
            }
        }
    }

    static void ended(StageSpan stage) {
        synchronized (STAGES) {
            STAGES.remove(stage.work(), stage);
        }
    }

    /** The parsed header, if it is a valid W3C traceparent. */
    public static Optional<Parent> parse(String traceparent) {
        if (traceparent == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(traceparent.trim());
        if (!m.matches() || m.group(1).equals("ff") || m.group(2).equals(INVALID_TRACE)
                || m.group(3).equals("0".repeat(16)) || (m.group(1).equals("00") && m.group(5) != null)) {
            return Optional.empty();
        }
        return Optional.of(new Parent(m.group(2), m.group(3), m.group(4)));
    }

    /** The value of the last {@code traceparent} header, or null. */
    public static String header(Headers headers) {
        Header h = headers == null ? null : headers.lastHeader(HEADER);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A traceparent's fields: 32 and 16 lowercase hex digits, and the flags byte in hex. */
    public record Parent(String traceId, String spanId, String flags) {
    }

    static String work(FedimgEvent event) {
        return event.traceId() + "\u0000" + event.imageKey();
    }

    private static String hex(String uuid) {
        return uuid.replace("-", "");
    }
}
