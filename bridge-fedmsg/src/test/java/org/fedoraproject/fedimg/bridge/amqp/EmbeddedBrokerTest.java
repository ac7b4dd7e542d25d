package org.fedoraproject.fedimg.bridge.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;
import org.junit.jupiter.api.Test;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

/** The fallback broker used where no RabbitMQ runs: topic routing on amq.topic, confirms, headers. */
class EmbeddedBrokerTest {

    @Test
    void embeddedBrokerRoutesAmqTopicWithConfirms() throws Exception {
        try (EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start()) {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(broker.url());
            try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                String q = ch.queueDeclare().getQueue();
                ch.queueBind(q, "amq.topic", "org.fedoraproject.*.pungi.#");
                ch.confirmSelect();
                ch.basicPublish("amq.topic", "org.fedoraproject.prod.pungi.compose.status.change", true,
                        new com.rabbitmq.client.AMQP.BasicProperties.Builder().messageId("m-1")
                                .headers(Map.of("fedora_messaging_severity", 20)).build(),
                        "{}".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(10_000);
                GetResponse r = null;
                for (int i = 0; i < 50 && r == null; i++) {
                    r = ch.basicGet(q, true);
                    if (r == null) {
                        Thread.sleep(100);
                    }
                }
                assertThat(r).isNotNull();
                assertThat(r.getProps().getMessageId()).isEqualTo("m-1");
                assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("org.fedoraproject.prod.pungi.compose.status.change");
            }
        }
    }
}
