package org.fedoraproject.fedimg.bridge.messaging;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.fedoraproject.fedimg.bridge.amqp.AmqpConsumer;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.outbound.OutboundPublisher;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ready once the dedup store is loaded and, when AMQP consumption is on, the consumer is connected. Outbound
 * messages waiting for a bus are shown ({@code outbound-waiting}, the oldest one's topic, age and last error) but
 * leave the status alone: the bridge is doing its job by holding them, and a restart would not help.
 */
@Readiness
@ApplicationScoped
public class BusHealth implements HealthCheck {

    private final BridgeConfig config;
    private final AmqpConsumer amqp;
    private final SeenStore seen;
    private final OutboundPublisher outbound;

    public BusHealth(BridgeConfig config, AmqpConsumer amqp, SeenStore seen, OutboundPublisher outbound) {
        this.config = config;
        this.amqp = amqp;
        this.seen = seen;
        this.outbound = outbound;
    }

    @Override
    public HealthCheckResponse call() {
        boolean amqpOk = !config.amqp().consume() || amqp.connected();
        var response = HealthCheckResponse.named("fedora bus")
                .status(amqpOk)
                .withData("amqp-consumer", config.amqp().consume() ? (amqp.connected() ? "connected" : "down") : "off")
                .withData("amqp-queue", String.valueOf(amqp.queue()))
                .withData("dedup-keys", seen.size())
                .withData("outbound-waiting", outbound.waiting().size());
        outbound.oldestWaiting().ifPresent(w -> response
                .withData("outbound-oldest", w.topic() + " since " + w.since() + ", " + w.failures() + " attempt(s) failed")
                .withData("outbound-error", w.lastError()));
        if (!amqpOk) {
            amqp.lastError().ifPresent(e -> response.withData("amqp-error", e));
        }
        return response.build();
    }
}
