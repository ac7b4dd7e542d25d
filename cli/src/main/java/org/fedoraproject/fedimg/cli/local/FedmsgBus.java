package org.fedoraproject.fedimg.cli.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.fedoraproject.fedimg.local.KafkaBroker;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * fedmsg on this machine: local mode binds the PUB socket the bridge subscribes to (as pungi's hub), and the bridge
 * binds a PUB socket of its own for its messages, which local mode subscribes to.
 */
final class FedmsgBus implements LocalBus {

    private final FedmsgPublisher composes = new FedmsgPublisher(KafkaBroker.freePort());
    private final String bridgeEndpoint = "tcp://127.0.0.1:" + KafkaBroker.freePort();
    private final ZContext context = new ZContext();
    private volatile boolean listening = true;
    private Thread listener;

    @Override
    public String describe() {
        return "fedmsg: compose messages from " + composes.endpoint() + ", the bridge's messages on " + bridgeEndpoint;
    }

    @Override
    public Map<String, String> bridgeConfig(Topics topics) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("fedimg.bridge.fedmsg.subscribe.enabled", "true");
        config.put("fedimg.bridge.fedmsg.subscribe.endpoints", composes.endpoint());
        config.put("fedimg.bridge.fedmsg.subscribe.topic-prefixes", topics.compose());
        config.put("fedimg.bridge.fedmsg.publish.enabled", "true");
        config.put("fedimg.bridge.fedmsg.publish.endpoint", bridgeEndpoint);
        config.put("fedimg.bridge.amqp.consume", "false");
        config.put("fedimg.bridge.amqp.publish", "false");
        return config;
    }

    @Override
    public boolean publish(String topic, Map<String, Object> body, String msgId) {
        composes.publish(topic, body, msgId);
        return false; // PUB/SUB: a subscriber that has not joined yet never sees it
    }

    @Override
    public void listen(Topics topics, Consumer<String> listener) {
        this.listener = new Thread(() -> {
            // ZeroMQ sockets belong to one thread: this one
            try (ZMQ.Socket sub = context.createSocket(SocketType.SUB)) {
                sub.setReceiveTimeOut(500);
                topics.outbound().forEach(sub::subscribe);
                sub.connect(bridgeEndpoint);
                while (listening) {
                    String topic = sub.recvStr();
                    if (topic != null) {
                        sub.recv(); // the envelope
                        listener.accept(topic);
                    }
                }
            } catch (RuntimeException e) {
                if (listening) {
                    throw e;
                }
            }
        }, "fedmsg-listener");
        this.listener.setDaemon(true);
        this.listener.start();
    }

    @Override
    public void close() {
        listening = false;
        if (listener != null) {
            try {
                listener.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        context.close();
        composes.close();
    }
}
