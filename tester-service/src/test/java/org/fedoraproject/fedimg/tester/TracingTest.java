package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.tracing.CapturedSpans;
import org.fedoraproject.fedimg.testing.tracing.TracingOn;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Tracing switched on: the test of one AMI is one span, a child of the uploader's span named by the input
 * record, and the parent of every record the tester writes for it (docs/operations.md, "Traces").
 */
@QuarkusTest
@TestProfile(TracingOn.class)
class TracingTest extends TesterQuarkusTest {

    private static final String UPLOADER_SPAN = "00f067aa0ba902b7";

    @Inject
    CapturedSpans spans;

    @Test
    void theTestIsOneSpanBetweenTheUploadersAndTheRecordsItWrites() {
        Scripts.use("#!/bin/bash\nexit 0\n");
        AmiRegistered event = registerAmi();
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        probe.send(topics.registered, event, "uploader-service", "00-" + trace + "-" + UPLOADER_SPAN + "-01");

        SpanData span = spanOf(event);
        assertThat(span.getName()).isEqualTo("fedimg test");
        assertThat(span.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("tester-service");
        assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(span.getTraceId()).isEqualTo(trace);
        assertThat(span.getParentSpanContext().isRemote()).isTrue();
        assertThat(span.getParentSpanId()).isEqualTo(UPLOADER_SPAN);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("fedimg.image.key"))).isEqualTo(event.imageKey());
        assertThat(span.getAttributes().get(AttributeKey.stringKey("fedimg.ami.id"))).isEqualTo(event.ami().amiId());
        assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")))
                .isEqualTo(topics.registered);

        List<List<String>> headers = traceparents(List.of(topics.tested, topics.status), event.imageKey(), 3);
        assertThat(headers).as("the verdict, started and finished").hasSizeGreaterThanOrEqualTo(3);
        for (List<String> h : headers) {
            assertThat(h).as("one traceparent per record: the connector adds none of its own").hasSize(1);
            TraceContext.Parent parent = TraceContext.parse(h.get(0)).orElseThrow();
            assertThat(parent.traceId()).isEqualTo(trace);
            assertThat(parent.spanId()).as("the tester's span is the parent").isEqualTo(span.getSpanId());
            assertThat(parent.flags()).isEqualTo("01");
        }
    }

    @Test
    void aFailedTestEndsTheSpanWithStatusError() {
        Scripts.use("#!/bin/bash\necho broken\nexit 3\n");
        AmiRegistered event = registerAmi();
        probe.send(topics.registered, event, "uploader-service",
                "00-0af7651916cd43dd8448eb211c80319c-" + UPLOADER_SPAN + "-01");

        SpanData span = spanOf(event);
        assertThat(span.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getStatus().getDescription()).isEqualTo(topics.awaitTested(event.imageKey(), 1, WAIT).get(0).reason());
    }

    private SpanData spanOf(AmiRegistered event) {
        return Awaitility.await().atMost(WAIT).until(() -> spans.finished().stream()
                .filter(s -> event.eventId().equals(s.getAttributes().get(AttributeKey.stringKey("fedimg.event.id"))))
                .findFirst().orElse(null), s -> s != null);
    }

    /** Every traceparent header of each record of the image, read raw: a map of headers would hide a second one. */
    private static List<List<String>> traceparents(List<String> topicNames, String imageKey, int atLeast) {
        List<List<String>> all = new ArrayList<>();
        Instant deadline = Instant.now().plus(WAIT);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                TopicProbe.readerConfig(KafkaBroker.shared().bootstrapServers(), "tracing-test-"))) {
            consumer.subscribe(topicNames);
            while (all.size() < atLeast && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (imageKey.equals(r.key())) {
                        List<String> values = new ArrayList<>();
                        for (Header h : r.headers().headers(TraceContext.HEADER)) {
                            values.add(new String(h.value(), StandardCharsets.UTF_8));
                        }
                        all.add(values);
                    }
                }
            }
        }
        return all;
    }
}
