package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

class StageSpansTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String UPSTREAM_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build())
            .build();

    @AfterEach
    void close() {
        sdk.close();
    }

    private static StageStatus status(String eventId, String traceId, String imageKey, StageState state, String reason) {
        return new StageStatus(eventId, imageKey, "Fedora-C-1", traceId, Instant.EPOCH, Stage.TEST, state, "tester",
                null, "us-east-1", null, null, null, reason, null, null);
    }

    private static TraceContext.Parent header(StageStatus out) {
        RecordHeaders headers = new RecordHeaders();
        CloudEvents.kafka(out).getHeaders().forEach(headers::add);
        return TraceContext.parse(TraceContext.header(headers)).orElseThrow();
    }

    private static Message<byte[]> record(String traceparent, StageStatus input) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("fedimg.amis.registered", 2, 42L,
                input.imageKey(), new byte[0]);
        if (traceparent != null) {
            record.headers().add(TraceContext.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return Message.of(new byte[0], Metadata.of(new IncomingKafkaRecordMetadata<>(record, "amis-registered")));
    }

    @Test
    void theSpanIsAChildOfTheIncomingRecordsSpanAndTheParentOfWhatTheStageWrites() {
        StageStatus in = status("in-1", "t-child", "Fedora-C-1/a.raw.xz", StageState.STARTED, null);
        StageSpan stage = new StageSpans(sdk, true, "test")
                .consuming(record("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01", in), in);
        TraceContext.Parent out = header(status("out-1", "t-child", "Fedora-C-1/a.raw.xz", StageState.COMPLETED, null));
        stage.end();

        SpanData span = exported.getFinishedSpanItems().get(0);
        assertThat(exported.getFinishedSpanItems()).hasSize(1);
        assertThat(span.getName()).isEqualTo("fedimg test");
        assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(span.getTraceId()).isEqualTo(TRACE);
        assertThat(span.getParentSpanContext().isRemote()).isTrue();
        assertThat(span.getParentSpanId()).isEqualTo(UPSTREAM_SPAN);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("fedimg.image.key"))).isEqualTo("Fedora-C-1/a.raw.xz");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("fedimg.compose.id"))).isEqualTo("Fedora-C-1");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("fedimg.event.id"))).isEqualTo("in-1");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                .isEqualTo("fedimg.amis.registered");
        assertThat(span.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset"))).isEqualTo(42L);

        assertThat(out.traceId()).isEqualTo(TRACE);
        assertThat(out.spanId()).as("the outgoing record's parent is the stage's span").isEqualTo(span.getSpanId());
        assertThat(out.flags()).isEqualTo("01");
        assertThat(TraceContext.traceparent(status("late", "t-child", "Fedora-C-1/a.raw.xz", StageState.COMPLETED, null)))
                .as("once the stage ended, records are back to derived span ids").doesNotContain(span.getSpanId());
    }

    @Test
    void withoutAHeaderTheParentIsTheHeaderTheInputWouldHaveCarried() {
        StageStatus in = status("in-2", "t-none", "Fedora-C-1/b.raw.xz", StageState.STARTED, null);
        TraceContext.Parent wouldHave = TraceContext.parse(TraceContext.traceparent(in)).orElseThrow();

        StageSpan stage = new StageSpans(sdk, true, "bridge").starting(null, in, SpanKind.CONSUMER, Instant.ofEpochSecond(7));
        TraceContext.Parent out = header(status("out-2", "t-none", "Fedora-C-1/b.raw.xz", StageState.COMPLETED, null));
        stage.end();

        SpanData span = exported.getFinishedSpanItems().get(0);
        assertThat(span.getTraceId()).as("the trace derived from the image's work").isEqualTo(wouldHave.traceId());
        assertThat(span.getParentSpanId()).isEqualTo(wouldHave.spanId());
        assertThat(span.getStartEpochNanos()).isEqualTo(7_000_000_000L);
        assertThat(out.traceId()).isEqualTo(wouldHave.traceId());
        assertThat(out.spanId()).isEqualTo(span.getSpanId());
    }

    @Test
    void aFailedStatusOrADeadLetterEndsTheSpanWithStatusError() {
        StageSpans spans = new StageSpans(sdk, true, "upload");
        StageStatus in = status("in-3", "t-fail", "Fedora-C-1/c.raw.xz", StageState.STARTED, null);
        StageSpan failedStatus = spans.starting("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01", in, SpanKind.CONSUMER, null);
        header(status("out-3", "t-fail", "Fedora-C-1/c.raw.xz", StageState.FAILED, "checksum mismatch"));
        RecordHeaders headers = new RecordHeaders();
        CloudEvents.kafka(new DeadLetter("dl-3", "Fedora-C-1/c.raw.xz", "Fedora-C-1", "t-fail", Instant.EPOCH,
                "uploader", "fedimg.images", "CHECKSUM_MISMATCH", "sha256 differs", null, null)).getHeaders()
                .forEach(headers::add);
        failedStatus.end();

        StageStatus other = status("in-4", "t-fail", "Fedora-C-1/d.raw.xz", StageState.STARTED, null);
        StageSpan crashed = spans.starting(null, other, SpanKind.CONSUMER, null);
        assertThatThrownBy(() -> crashed.covering(Uni.createFrom().failure(new IllegalStateException("broker down")))
                .await().indefinitely()).hasMessage("broker down");

        List<SpanData> spansOut = exported.getFinishedSpanItems();
        assertThat(spansOut).hasSize(2);
        assertThat(spansOut.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(spansOut.get(0).getStatus().getDescription()).as("the first failure is the one kept")
                .isEqualTo("checksum mismatch");
        assertThat(spansOut.get(0).getAttributes().get(AttributeKey.stringKey("fedimg.dead_letter.reason")))
                .isEqualTo("CHECKSUM_MISMATCH");
        assertThat(spansOut.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(spansOut.get(1).getStatus().getDescription()).isEqualTo("broker down");
        assertThat(spansOut.get(1).getEvents()).anyMatch(e -> e.getName().equals("exception"));
    }

    @Test
    void switchedOffNothingIsRecordedAndTheHeadersAreTheDerivedOnes() {
        StageStatus in = status("in-5", "t-off", "Fedora-C-1/e.raw.xz", StageState.STARTED, null);
        StageStatus out = status("out-5", "t-off", "Fedora-C-1/e.raw.xz", StageState.FAILED, "x");
        String withoutStage = TraceContext.traceparent(out);

        // an SDK whose tracer records, as Quarkus's disabled SDK does: the flag alone decides
        StageSpans off = new StageSpans(sdk, false, "test");
        StageSpan stage = off.starting(null, in, SpanKind.CONSUMER, null);
        assertThat(stage.recording()).isFalse();
        assertThat(TraceContext.traceparent(out)).isEqualTo(withoutStage);
        assertThat(CloudEvents.kafka(out).getHeaders().lastHeader(TraceContext.HEADER).value())
                .isEqualTo(withoutStage.getBytes(StandardCharsets.UTF_8));
        stage.end();

        StageStatus in2 = status("in-6", "t-off-2", "Fedora-C-1/e.raw.xz", StageState.STARTED, null);
        StageSpan fromHeader = off.consuming(record("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01", in2), in2);
        String a = TraceContext.traceparent(status("out-6", "t-off-2", "Fedora-C-1/e.raw.xz", StageState.COMPLETED, null));
        fromHeader.end();
        assertThat(a).as("the input's trace, and the span id derived from the event id")
                .startsWith("00-" + TRACE + "-").endsWith("-01")
                .isEqualTo(TraceContext.traceparent(status("out-6", "t-off-2", "Fedora-C-1/e.raw.xz", StageState.COMPLETED, null)));
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void anUnsampledTraceIsCarriedOnWithDerivedSpanIds() {
        StageStatus in = status("in-7", "t-unsampled", "Fedora-C-1/f.raw.xz", StageState.STARTED, null);
        StageSpan stage = new StageSpans(sdk, true, "test").starting("00-" + TRACE + "-" + UPSTREAM_SPAN + "-00", in,
                SpanKind.CONSUMER, null);
        StageStatus out = status("out-7", "t-unsampled", "Fedora-C-1/f.raw.xz", StageState.COMPLETED, null);
        String during = TraceContext.traceparent(out);
        stage.end();

        assertThat(stage.recording()).isFalse();
        assertThat(during).startsWith("00-" + TRACE + "-").endsWith("-00").isEqualTo(TraceContext.traceparent(out));
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void stagesOfOneImageSideBySideNameTheirSpanWhenTheyWrite() {
        StageSpans spans = new StageSpans(sdk, true, "replicate");
        StageStatus gp3 = status("in-gp3", "t-side", "Fedora-C-1/g.raw.xz", StageState.STARTED, null);
        StageStatus standard = status("in-standard", "t-side", "Fedora-C-1/g.raw.xz", StageState.STARTED, null);
        StageSpan a = spans.starting("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01", gp3, SpanKind.CONSUMER, null);
        StageSpan b = spans.starting("00-" + TRACE + "-" + UPSTREAM_SPAN + "-01", standard, SpanKind.CONSUMER, null);

        StageStatus out = status("out-gp3", "t-side", "Fedora-C-1/g.raw.xz", StageState.FAILED, "copy to eu-west-1 failed");
        Message<StageStatus> written = CloudEvents.message(out, "replicator", a);
        String header = new String(written.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getHeaders()
                .lastHeader(TraceContext.HEADER).value(), StandardCharsets.UTF_8);
        a.end();
        b.end();

        assertThat(TraceContext.parse(header).orElseThrow().spanId()).isEqualTo(a.context().getSpanId())
                .isNotEqualTo(b.context().getSpanId());
        SpanData exportedB = exported.getFinishedSpanItems().get(1);
        assertThat(exported.getFinishedSpanItems().get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(exportedB.getStatus().getStatusCode()).as("the other variant did not fail").isEqualTo(StatusCode.UNSET);
    }
}
