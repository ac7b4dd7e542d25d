package org.fedoraproject.fedimg.bridge.messaging;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.fedoraproject.fedimg.bridge.amqp.AmqpConsumer;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;

import jakarta.enterprise.context.ApplicationScoped;

/** Ready once the dedup store is loaded and, when AMQP consumption is on, the consumer is connected. */
@Readiness
@ApplicationScoped
public class BusHealth implements HealthCheck {

    private final BridgeConfig config;
    private final AmqpConsumer amqp;
    private final SeenStore seen;

    public BusHealth(BridgeConfig config, AmqpConsumer amqp, SeenStore seen) {
        this.config = config;
        this.amqp = amqp;
        this.seen = seen;
    }

    @Override
    public HealthCheckResponse call() {
        boolean amqpOk = !config.amqp().consume() || amqp.connected();
        var response = HealthCheckResponse.named("fedora bus")
                .status(amqpOk)
                .withData("amqp-consumer", config.amqp().consume() ? (amqp.connected() ? "connected" : "down") : "off")
                .withData("amqp-queue", String.valueOf(amqp.queue()))
                .withData("dedup-keys", seen.size());
        if (!amqpOk) {
            amqp.lastError().ifPresent(e -> response.withData("amqp-error", e));
        }
        return response.build();
    }
}
