package org.fedoraproject.fedimg.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.TopicProbe.Received;
import org.fedoraproject.fedimg.testing.tracing.CapturedSpans;
import org.fedoraproject.fedimg.testing.tracing.TracingOn;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * Tracing switched on: the variants of one image replicate side by side, each in a span of its own, and every
 * record a variant's job writes names that variant's span as its parent, not the other's.
 */
@QuarkusTest
@TestProfile(TracingOn.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = AwsEmulatorTestResource.class, initArgs = @ResourceArg(name = "delays", value = "fast"))
class TracingTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Inject
    CapturedSpans spans;

    @Inject
    AwsClients aws;

    @Test
    void eachVariantsRecordsNameItsOwnSpan() {
        SourceAmis sources = new SourceAmis(aws.ec2(SourceAmis.BASE));
        String compose = "Fedora-Cloud-41-20261125.0." + UUID.randomUUID().toString().substring(0, 8);
        AmiTested gp3 = sources.registerPassed(compose, "production", Samples.GP3);
        AmiTested standard = sources.registerPassed(compose, "production", Samples.STANDARD);
        try (TopicProbe probe = TopicProbe.forSharedBroker()) {
            // two tester spans of one trace, one per variant
            probe.send(Topics.AMIS_TESTED, gp3, "tester", "00-" + TRACE + "-00000000000000a1-01");
            probe.send(Topics.AMIS_TESTED, standard, "tester", "00-" + TRACE + "-00000000000000b2-01");

            SpanData gp3Span = spanOf(gp3);
            SpanData standardSpan = spanOf(standard);
            assertThat(gp3Span.getName()).isEqualTo("fedimg replicate");
            assertThat(List.of(gp3Span.getTraceId(), standardSpan.getTraceId())).containsOnly(TRACE);
            assertThat(gp3Span.getParentSpanId()).isEqualTo("00000000000000a1");
            assertThat(standardSpan.getParentSpanId()).isEqualTo("00000000000000b2");
            assertThat(gp3Span.getStartEpochNanos()).as("side by side")
                    .isLessThan(standardSpan.getEndEpochNanos());
            assertThat(standardSpan.getStartEpochNanos()).isLessThan(gp3Span.getEndEpochNanos());

            List<Received> published = probe.readUntil(Topics.AMIS_PUBLISHED, WAIT,
                    all -> all.stream().anyMatch(r -> isAggregateOf(r, gp3.imageKey())));
            List<Received> statuses = probe.readUntil(Topics.STATUS, WAIT, all -> !mine(all, gp3.imageKey()).isEmpty());
            int checked = 0;
            for (Received r : mine(published, gp3.imageKey())) {
                String parent = parentOf(r);
                if (isAggregateOf(r, gp3.imageKey())) {
                    assertThat(parent).as("the aggregate: the last variant's span")
                            .isIn(gp3Span.getSpanId(), standardSpan.getSpanId());
                    continue;
                }
                AmiPublished p = EventJson.read(r.value(), AmiPublished.class);
                assertThat(parent).as("%s", r).isEqualTo(
                        p.sourceAmi().variant().equals(Samples.GP3) ? gp3Span.getSpanId() : standardSpan.getSpanId());
                checked++;
            }
            for (Received r : mine(statuses, gp3.imageKey())) {
                StageStatus s = EventJson.read(r.value(), StageStatus.class);
                assertThat(parentOf(r)).as("%s", r).isEqualTo(
                        s.variant().equals(Samples.GP3) ? gp3Span.getSpanId() : standardSpan.getSpanId());
                checked++;
            }
            assertThat(checked).as("records of both variants").isGreaterThan(4);
        }
    }

    private SpanData spanOf(AmiTested event) {
        return Awaitility.await().atMost(WAIT).until(() -> spans.finished().stream()
                .filter(s -> event.eventId().equals(s.getAttributes().get(AttributeKey.stringKey("fedimg.event.id"))))
                .findFirst().orElse(null), s -> s != null);
    }

    private static boolean isAggregateOf(Received r, String imageKey) {
        return EventType.of(org.fedoraproject.fedimg.events.ImagePublished.class).ceType().equals(r.headers().get("ce_type"))
                && imageKey.equals(r.headers().get("ce_subject"));
    }

    private static List<Received> mine(List<Received> all, String imageKey) {
        return all.stream().filter(r -> imageKey.equals(r.headers().get("ce_subject"))).toList();
    }

    private static String parentOf(Received r) {
        TraceContext.Parent parent = TraceContext.parse(r.headers().get(TraceContext.HEADER)).orElseThrow();
        assertThat(parent.traceId()).isEqualTo(TRACE);
        return parent.spanId();
    }
}
