package org.fedoraproject.fedimg.messaging;

import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.FedimgEvent;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Starts the span of one stage ({@code fedimg upload}, {@code fedimg test}, ...) of one image's work in a
 * service. Its parent is the input record's {@code traceparent}, taken as a remote span context; an input
 * without one is given the header it would have carried from a fedimg service with tracing off (the trace id
 * derived from the image's work, see {@link TraceContext}), so the span joins the image's one trace either way.
 *
 * <p>The span is never made OpenTelemetry's current span: the stage's work runs on Kafka, Mutiny and AWS SDK
 * threads, so the {@link StageSpan} travels with the image's work instead and {@link CloudEvents} finds it.
 *
 * <p>Off unless the service's {@code quarkus.otel.sdk.disabled} is false. The {@code enabled} flag is passed
 * explicitly because Quarkus's disabled SDK still hands out an SDK tracer whose spans record (they are only
 * never exported): its spans would give outgoing records random span ids where tracing off must keep today's
 * derived, redelivery-stable ones.
 */
public final class StageSpans {

    /** The instrumentation scope of every fedimg span. */
    public static final String SCOPE = "org.fedoraproject.fedimg";

    private final Tracer tracer;
    private final String stage;

    /** @param stage the stage's short name: {@code upload}, {@code test}, {@code replicate}, {@code bridge} */
    public StageSpans(OpenTelemetry otel, boolean enabled, String stage) {
        this.tracer = (enabled ? otel : OpenTelemetry.noop()).getTracer(SCOPE);
        this.stage = stage;
    }

    /**
     * The stage of a consumed Kafka record, started now. Remembers the record's trace for the events the stage
     * writes (it calls {@link TraceContext#received(Message, FedimgEvent)}).
     */
    public StageSpan consuming(Message<?> incoming, FedimgEvent input) {
        var kafka = incoming.getMetadata(IncomingKafkaRecordMetadata.class);
        String traceparent = kafka.map(m -> TraceContext.header(m.getHeaders())).orElse(null);
        SpanBuilder builder = builder(traceparent, input, SpanKind.CONSUMER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.operation.type", "process");
        kafka.ifPresent(m -> builder.setAttribute("messaging.destination.name", m.getTopic())
                .setAttribute("messaging.destination.partition.id", String.valueOf(m.getPartition()))
                .setAttribute("messaging.kafka.offset", m.getOffset()));
        return started(builder, input);
    }

    /**
     * A stage with no Kafka input record (the bridge's, from a bus message), or whose header was read by other
     * means: {@code traceparent} may be null.
     *
     * @param since when the stage's work began, for work done before the image was known; null for now
     */
    public StageSpan starting(String traceparent, FedimgEvent input, SpanKind kind, Instant since) {
        SpanBuilder builder = builder(traceparent, input, kind);
        if (since != null) {
            builder.setStartTimestamp(since);
        }
        return started(builder, input);
    }

    private SpanBuilder builder(String traceparent, FedimgEvent input, SpanKind kind) {
        TraceContext.received(traceparent, input);
        // no valid header: the one a fedimg service would have written for this input with tracing off
        TraceContext.Parent parent = TraceContext.parse(traceparent)
                .orElseGet(() -> TraceContext.parse(TraceContext.derived(input)).orElseThrow());
        SpanContext remote = SpanContext.createFromRemoteParent(parent.traceId(), parent.spanId(),
                TraceFlags.fromHex(parent.flags(), 0), TraceState.getDefault());
        SpanBuilder builder = tracer.spanBuilder("fedimg " + stage)
                .setParent(Context.root().with(Span.wrap(remote)))
                .setSpanKind(kind)
                .setAttribute("fedimg.stage", stage)
                .setAttribute("fedimg.event.type", input.eventType().ceType());
        attribute(builder, "fedimg.image.key", input.imageKey());
        attribute(builder, "fedimg.compose.id", input.composeId());
        attribute(builder, "fedimg.event.id", input.eventId());
        return builder;
    }

    private static StageSpan started(SpanBuilder builder, FedimgEvent input) {
        StageSpan span = new StageSpan(builder.startSpan(), TraceContext.work(input));
        TraceContext.started(span);
        return span;
    }

    private static void attribute(SpanBuilder builder, String key, String value) {
        if (value != null) {
            builder.setAttribute(key, value);
        }
    }
}
