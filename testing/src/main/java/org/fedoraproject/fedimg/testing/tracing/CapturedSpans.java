package org.fedoraproject.fedimg.testing.tracing;

import java.util.Collection;
import java.util.List;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * The spans a service exports in a Quarkus test, kept in memory. Quarkus hands every {@link SpanExporter} bean to
 * the SDK ({@code quarkus.otel.traces.exporter=cdi}, the default); an alternative, so only {@link TracingOn} has it.
 */
@Alternative
@Singleton
public class CapturedSpans implements SpanExporter {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();

    public List<SpanData> finished() {
        return spans.getFinishedSpanItems();
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
        return spans.export(batch);
    }

    @Override
    public CompletableResultCode flush() {
        return spans.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        // the SDK shuts exporters down with the application; the spans stay readable until the JVM ends
        return CompletableResultCode.ofSuccess();
    }
}
