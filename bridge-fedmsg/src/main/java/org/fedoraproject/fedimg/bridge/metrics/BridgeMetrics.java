package org.fedoraproject.fedimg.bridge.metrics;

import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** The bridge's Micrometer meters; tags stay low-cardinality (no compose ids, no image names). */
@ApplicationScoped
public class BridgeMetrics {

    private final MeterRegistry registry;

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A bus message arrived; status is the compose status, or "invalid"/"other-topic". */
    public void received(String source, String status) {
        registry.counter("fedimg.bridge.messages.received", "source", source, "status", status).increment();
    }

    public void outcome(String source, String outcome) {
        registry.counter("fedimg.bridge.messages.handled", "source", source, "outcome", outcome).increment();
    }

    public void imagesEmitted(String source, int count) {
        registry.counter("fedimg.bridge.images.emitted", "source", source).increment(count);
    }

    public void deadLetter(String reason) {
        registry.counter("fedimg.bridge.dead.letters", "reason", reason).increment();
    }

    public void duplicate(String kind) {
        registry.counter("fedimg.bridge.duplicates", "kind", kind).increment();
    }

    /** topic is the short topic (fedimg.image.upload, fedora_image_uploader.published.v1.aws). */
    public void busPublish(String transport, String topic, String outcome) {
        registry.counter("fedimg.bridge.bus.publishes", "transport", transport, "topic", topic, "outcome", outcome)
                .increment();
    }

    /** A message whose metadata was unreachable: {@code parked} for a later attempt or {@code gave-up}. */
    public void retry(String outcome) {
        registry.counter("fedimg.bridge.retries", "outcome", outcome).increment();
    }

    /** Messages parked for another attempt right now. */
    public void parkedGauge(java.util.function.IntSupplier parked) {
        Gauge.builder("fedimg.bridge.retries.parked", parked::getAsInt)
                .description("bus messages waiting for another attempt (metadata unreachable)").register(registry);
    }

    /** A trigger request refused: {@code disabled}, {@code unauthorized} or {@code rate-limited}. */
    public void triggerRefused(String reason) {
        registry.counter("fedimg.bridge.trigger.refused", "reason", reason).increment();
    }

    /** Bus messages not yet confirmed by every transport (the bus is down or refuses them). */
    public void busWaiting(Map<?, ?> waiting) {
        Gauge.builder("fedimg.bridge.bus.waiting", waiting, Map::size).strongReference(true).register(registry);
    }

    public void signature(String outcome) {
        registry.counter("fedimg.bridge.fedmsg.signatures", "outcome", outcome).increment();
    }
}
