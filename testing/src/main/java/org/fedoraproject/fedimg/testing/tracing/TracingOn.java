package org.fedoraproject.fedimg.testing.tracing;

import java.util.Map;
import java.util.Set;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Tracing switched on as an operator would, with the spans captured in memory instead of sent to a collector. */
public class TracingOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // batches every 100 ms rather than 5 s, so a test sees its spans soon after they end
        return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "100ms");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(CapturedSpans.class);
    }
}
