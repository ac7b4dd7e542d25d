package org.fedoraproject.fedimg.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static StageStatus status(String eventId, String traceId, String imageKey) {
        return new StageStatus(eventId, imageKey, "C", traceId, Instant.EPOCH, Stage.UPLOAD, StageState.STARTED,
                "uploader", null, "us-east-1", null, null, null, null, null, null);
    }

    private static String traceIdOf(String traceparent) {
        return TraceContext.parse(traceparent).orElseThrow().traceId();
    }

    @Test
    void withoutAnInputTheTraceIsDerivedFromTheImagesWork() {
        String a = TraceContext.traceparent(status("e1", "t-root", "C/a.raw.xz"));
        String a2 = TraceContext.traceparent(status("e2", "t-root", "C/a.raw.xz"));
        String b = TraceContext.traceparent(status("e3", "t-root", "C/b.raw.xz"));

        assertThat(a).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(traceIdOf(a2)).as("one image, one trace").isEqualTo(traceIdOf(a));
        assertThat(TraceContext.parse(a2).orElseThrow().spanId()).isNotEqualTo(TraceContext.parse(a).orElseThrow().spanId());
        assertThat(traceIdOf(b)).as("another image of the same compose").isNotEqualTo(traceIdOf(a));
        assertThat(TraceContext.traceparent(status("e1", "t-root", "C/a.raw.xz"))).as("a redelivery").isEqualTo(a);
    }

    @Test
    void outputsContinueTheTraceOfTheirInput() {
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
        TraceContext.received(incoming, status("in", "t-in", "C/c.raw.xz"));

        String out = TraceContext.traceparent(status("out", "t-in", "C/c.raw.xz"));
        assertThat(out).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-00")
                .doesNotContain("00f067aa0ba902b7");
        assertThat(traceIdOf(TraceContext.traceparent(status("other", "t-in", "C/d.raw.xz"))))
                .as("other work keeps its own trace").isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void malformedHeadersAreIgnored() {
        for (String bad : new String[] {null, "", "garbage", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"}) {
            assertThat(TraceContext.parse(bad)).as(String.valueOf(bad)).isEmpty();
            TraceContext.received(bad, status("in", "t-bad", "C/e.raw.xz"));
        }
        assertThat(TraceContext.traceparent(status("out", "t-bad", "C/e.raw.xz")))
                .as("a trace of its own, none of the rejected ones").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                .doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceContext.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"))
                .as("a later version may add fields").isPresent();
        assertThat(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).isEmpty();
    }

    @Test
    void everyOutgoingRecordCarriesTheHeaderEvenForUnparseableInput() {
        DeadLetter letter = new DeadLetter("dl", null, null, "t-dl", Instant.EPOCH, "svc", "topic", null, null, null,
                null);
        RecordHeaders headers = new RecordHeaders();
        CloudEvents.kafka(letter).getHeaders().forEach(headers::add);
        String value = TraceContext.header(headers);
        assertThat(value).isEqualTo(TraceContext.traceparent(letter));
        assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8)).isEqualTo(value);
    }
}
