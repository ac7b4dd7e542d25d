package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.fedoraproject.fedimg.testing.TopicProbe.Received;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.junit.QuarkusTest;

/** Every record the tester writes for an input continues the input's W3C trace (docs/operations.md, "Tracing"). */
@QuarkusTest
class TracePropagationTest extends TesterQuarkusTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Inject
    @ConfigProperty(name = "quarkus.otel.sdk.disabled")
    boolean tracingOff;

    @Inject
    OpenTelemetry otel;

    @Test
    void theVerdictAndTheStatusesCarryTheTraceOfTheRegisteredRecord() {
        Scripts.use("#!/bin/bash\nexit 0\n");
        AmiRegistered event = registerAmi();
        // flags 00 (not sampled), unlike the 01 of a trace the services start themselves: they must be carried too
        probe.send(topics.registered, event, "uploader-service", "00-" + TRACE + "-00f067aa0ba902b7-00");

        List<Received> tested = mine(probe.readUntil(topics.tested, WAIT, all -> !mine(all, event).isEmpty()), event);
        List<Received> statuses = mine(probe.readUntil(topics.status, WAIT, all -> mine(all, event).size() >= 2), event);

        assertThat(tested).hasSize(1);
        assertThat(statuses).as("started and finished").hasSizeGreaterThanOrEqualTo(2);
        for (Received r : concat(tested, statuses)) {
            String traceparent = r.headers().get(TraceContext.HEADER);
            assertThat(traceparent).as("%s", r).isNotNull();
            TraceContext.Parent parent = TraceContext.parse(traceparent).orElseThrow();
            assertThat(parent.traceId()).as("%s", r).isEqualTo(TRACE);
            assertThat(parent.flags()).isEqualTo("00");
            assertThat(parent.spanId()).as("a span of the tester, not the uploader's").isNotEqualTo("00f067aa0ba902b7");
        }
    }

    @Test
    void tracingIsOffByDefaultSoSpanIdsAreDerivedAndNothingConnectsToTheCollector() throws Exception {
        assertThat(tracingOff).as("quarkus.otel.sdk.disabled").isTrue();
        Scripts.use("#!/bin/bash\nexit 0\n");
        AmiRegistered event = registerAmi();
        // sampled: with tracing on, the tester's span would record and be the parent of what it writes
        probe.send(topics.registered, event, "uploader-service", "00-" + TRACE + "-00f067aa0ba902b7-01");

        List<Received> written = concat(
                mine(probe.readUntil(topics.tested, WAIT, all -> !mine(all, event).isEmpty()), event),
                mine(probe.readUntil(topics.status, WAIT, all -> mine(all, event).size() >= 2), event));
        for (Received r : written) {
            String eventId = EventJson.MAPPER.readTree(r.value()).get("eventId").asText();
            assertThat(r.headers().get(TraceContext.HEADER)).as("%s", r).isEqualTo("00-" + TRACE + "-"
                    + EventIds.derived("span", eventId).replace("-", "").substring(0, 16) + "-01");
        }
        assertThat(collector.connections()).as("connections to the OTLP endpoint").isZero();
    }

    private static List<Received> mine(List<Received> all, AmiRegistered event) {
        return all.stream().filter(r -> event.imageKey().equals(r.headers().get("ce_subject"))).toList();
    }

    private static List<Received> concat(List<Received> a, List<Received> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
