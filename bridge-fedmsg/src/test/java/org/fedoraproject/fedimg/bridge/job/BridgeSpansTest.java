package org.fedoraproject.fedimg.bridge.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.fedoraproject.fedimg.bridge.compose.ComposeMetadataClient;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.ImageEvents;
import org.fedoraproject.fedimg.bridge.messaging.Outbox;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.messaging.CloudEvents;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;

/** With tracing on, each image event starts its image's trace with a {@code fedimg bridge} span. */
class BridgeSpansTest {

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build())
            .build();

    @AfterEach
    void close() {
        sdk.close();
    }

    @Test
    void eachImageEventIsWrittenAsTheChildOfItsOwnSpanInTheDerivedTrace() {
        HeaderSink sink = new HeaderSink(false);
        List<ImageReady> events = images("m-" + UUID.randomUUID(), "x86_64", "aarch64");
        List<TraceContext.Parent> wouldHave = events.stream()
                .map(e -> TraceContext.parse(TraceContext.traceparent(e)).orElseThrow()).toList();
        Instant begun = Instant.now().minusSeconds(3);

        pipeline(sink).emit("amqp", events, Stream.empty(), "msg-1", begun).await().atMost(Duration.ofSeconds(10));

        assertThat(exported.getFinishedSpanItems()).hasSize(2);
        for (int i = 0; i < events.size(); i++) {
            String eventId = events.get(i).eventId();
            SpanData span = exported.getFinishedSpanItems().stream()
                    .filter(s -> eventId.equals(s.getAttributes().get(AttributeKey.stringKey("fedimg.event.id"))))
                    .findFirst().orElseThrow();
            assertThat(span.getName()).isEqualTo("fedimg bridge");
            assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(span.getTraceId()).as("the trace id tracing off would give").isEqualTo(wouldHave.get(i).traceId());
            assertThat(span.getParentSpanId()).isEqualTo(wouldHave.get(i).spanId());
            assertThat(span.getStartEpochNanos()).as("from when the message was taken up")
                    .isEqualTo(begun.getEpochSecond() * 1_000_000_000L + begun.getNano());
            assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.message.id"))).isEqualTo("msg-1");
            TraceContext.Parent written = TraceContext.parse(sink.headers.get(i)).orElseThrow();
            assertThat(written.traceId()).isEqualTo(span.getTraceId());
            assertThat(written.spanId()).as("the image event's parent is the bridge's span").isEqualTo(span.getSpanId());
        }
        assertThat(wouldHave.get(0).traceId()).as("one trace per image").isNotEqualTo(wouldHave.get(1).traceId());
    }

    @Test
    void aKafkaWriteThatFailsEndsTheSpansWithStatusError() {
        List<ImageReady> events = images("m-" + UUID.randomUUID(), "x86_64");
        assertThatThrownBy(() -> pipeline(new HeaderSink(true)).emit("fedmsg", events, Stream.empty(), "msg-2", null)
                .await().atMost(Duration.ofSeconds(10))).hasMessageContaining("writing image events to Kafka failed");

        assertThat(exported.getFinishedSpanItems()).singleElement()
                .satisfies(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));
    }

    private InboundPipeline pipeline(Outbox sink) {
        BridgeConfig config = new SmallRyeConfigBuilder().withMapping(BridgeConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(Map.of("fedimg.bridge.dedup.enabled", "false")).build()
                .getConfigMapping(BridgeConfig.class);
        InboundPipeline pipeline = new InboundPipeline(config, new ComposeMetadataClient(config,
                    org.fedoraproject.fedimg.sources.TrustedSources.of("http://127.0.0.1:*/")), sink,
                new SeenStore(config, "unused:9092"), new BridgeMetrics(new SimpleMeterRegistry()));
        pipeline.tracing(sdk, false);
        return pipeline;
    }

    private static List<ImageReady> images(String messageId, String... arches) {
        String composeId = "Fedora-Cloud-41-20261201.0";
        ImageEvents.Cause cause = new ImageEvents.Cause(messageId, false, 0);
        return Stream.of(arches).map(arch -> {
            String file = "Fedora-Cloud-Base-AmazonEC2-41-1.1." + arch + ".raw.xz";
            ImageSpec spec = new ImageSpec("https://kojipkgs.example/" + file, file, file.replace(".raw.xz", ""),
                    "0".repeat(64), 1024, arch, "41", "production", "Cloud", "Cloud_Base", 0);
            return ImageEvents.event(cause, composeId, ImageEvents.traceId(messageId, composeId), spec, Instant.now());
        }).toList();
    }

    /** The traceparent each image event would be written with, taken when it is written; or a failing write. */
    static final class HeaderSink extends Outbox {
        final List<String> headers = new CopyOnWriteArrayList<>();
        final boolean fail;

        HeaderSink(boolean fail) {
            this.fail = fail;
        }

        @Override
        public Uni<Void> images(List<ImageReady> events) {
            if (fail) {
                return Uni.createFrom().failure(new IllegalStateException("the broker is gone"));
            }
            events.forEach(e -> headers.add(new String(CloudEvents.kafka(e).getHeaders()
                    .lastHeader(TraceContext.HEADER).value(), StandardCharsets.UTF_8)));
            return Uni.createFrom().voidItem();
        }
    }
}
