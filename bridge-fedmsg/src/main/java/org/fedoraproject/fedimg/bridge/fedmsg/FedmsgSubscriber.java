package org.fedoraproject.fedimg.bridge.fedmsg;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.bridge.compose.TransientFailure;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.job.InboundMessage;
import org.fedoraproject.fedimg.bridge.job.InboundPipeline;
import org.fedoraproject.fedimg.bridge.messaging.Outbox;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.jboss.logging.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A fedmsg SUB socket connected to every configured endpoint, subscribed to the topic prefixes. Each
 * two-frame message is optionally signature-checked and handed to the pipeline. fedmsg has no
 * acknowledgement: a transient failure is retried in-process up to {@code retry-deadline}.
 */
@ApplicationScoped
public class FedmsgSubscriber {

    private static final Logger LOG = Logger.getLogger(FedmsgSubscriber.class);

    private final BridgeConfig.Fedmsg config;
    private final int maxMessageBytes;
    private final InboundPipeline pipeline;
    private final Outbox sink;
    private final BridgeMetrics metrics;
    private X509Validator validator;
    private volatile boolean running;
    private Thread thread;
    private ZContext context;

    public FedmsgSubscriber(BridgeConfig config, InboundPipeline pipeline, Outbox sink, BridgeMetrics metrics) {
        this.config = config.fedmsg();
        this.maxMessageBytes = config.inbound().maxMessageBytes();
        this.pipeline = pipeline;
        this.sink = sink;
        this.metrics = metrics;
    }

    public synchronized void start() {
        List<String> endpoints = config.subscribe().endpoints().orElse(List.of());
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("fedimg.bridge.fedmsg.subscribe.endpoints is empty");
        }
        BridgeConfig.Fedmsg.Validation v = config.validation();
        if (v.enabled()) {
            validator = new X509Validator(
                    Pem.certificates(Path.of(v.caCert().orElseThrow(() -> new IllegalArgumentException(
                            "fedmsg signature validation needs fedimg.bridge.fedmsg.validation.ca-cert")))),
                    v.crl().map(c -> Pem.crl(Path.of(c))), v.routingPolicy(), v.routingNitpicky(),
                    v.checkValidityDates(), Clock.systemUTC());
        }
        context = new ZContext();
        ZMQ.Socket socket = context.createSocket(SocketType.SUB);
        socket.setTCPKeepAlive(1);
        socket.setTCPKeepAliveCount(3);
        socket.setTCPKeepAliveIdle(60);
        socket.setTCPKeepAliveInterval(5);
        socket.setReconnectIVL(100);
        socket.setReconnectIVLMax(1000);
        socket.setRcvHWM(0);
        // a peer sending a huge frame is cut off by the socket, before it is buffered (compose messages ~1 KiB)
        socket.setMaxMsgSize(maxMessageBytes);
        socket.setReceiveTimeOut(500);
        for (String prefix : config.subscribe().topicPrefixes()) {
            socket.subscribe(prefix.getBytes(StandardCharsets.UTF_8));
        }
        for (String endpoint : endpoints) {
            socket.connect(endpoint);
        }
        running = true;
        thread = new Thread(() -> loop(socket), "fedmsg-subscriber");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("fedmsg SUB connected to %s, topics %s, signature validation %s", endpoints,
                config.subscribe().topicPrefixes(), v.enabled() ? "on" : "off");
    }

    public synchronized void stop() {
        running = false;
        if (thread != null) {
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (context != null) {
            context.close();
        }
    }

    private void loop(ZMQ.Socket socket) {
        while (running) {
            ZMsg msg;
            try {
                msg = ZMsg.recvMsg(socket);
            } catch (ZMQException e) {
                if (running) {
                    LOG.errorf("fedmsg receive failed: %s", e.getMessage());
                }
                continue;
            }
            if (msg == null) {
                continue; // receive timeout: check running
            }
            try {
                onMessage(msg);
            } catch (RuntimeException e) {
                LOG.errorf(e, "fedmsg message dropped by an unexpected error");
            }
        }
        socket.close();
    }

    void onMessage(ZMsg msg) {
        if (msg.size() != 2) {
            byte[] all = msg.contentSize() > 0 ? joined(msg) : new byte[0];
            reject(null, null, all, DeadLetterReason.MALFORMED_MESSAGE,
                    "fedmsg message has " + msg.size() + " frames, not 2");
            return;
        }
        String topic = msg.popString();
        byte[] body = msg.pop().getData();
        String msgId = null;
        if (validator != null) {
            try {
                JsonNode env = EventJson.MAPPER.readTree(body);
                if (!(env instanceof ObjectNode envelope)) {
                    throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "envelope is not a JSON object");
                }
                msgId = env.path("msg_id").asText(null);
                String cn = validator.validate(envelope);
                metrics.signature("valid");
                LOG.debugf("fedmsg %s signed by %s", msgId, cn);
            } catch (BadInputException e) {
                metrics.signature(e.reason() == DeadLetterReason.BAD_SIGNATURE ? "invalid" : "malformed");
                reject(topic, msgId, body, e.reason(), e.getMessage());
                return;
            } catch (java.io.IOException e) {
                metrics.signature("malformed");
                reject(topic, null, body, DeadLetterReason.MALFORMED_MESSAGE, "envelope is not JSON");
                return;
            }
        }
        String id = msgId;
        Duration deadline = config.subscribe().retryDeadline();
        pipeline.handle(new InboundMessage("fedmsg", id, topic, body, Map.of()))
                .onFailure(TransientFailure.class).retry().withBackOff(Duration.ofSeconds(2), Duration.ofSeconds(60))
                .expireIn(deadline.toMillis())
                .subscribe().with(
                        outcome -> LOG.debugf("fedmsg %s: %s (%s)", topic, outcome.kind(), outcome.detail()),
                        failure -> LOG.errorf("fedmsg message on %s could not be handled within %s and is lost "
                                + "(replay it with the trigger): %s", topic, deadline, failure.getMessage()));
    }

    private void reject(String topic, String msgId, byte[] body, DeadLetterReason reason, String why) {
        metrics.received("fedmsg", "invalid");
        sink.deadLetter(DeadLetters.of(Outbox.SERVICE, DeadLetters.Input.bus("fedmsg", topic, msgId, body, Map.of()))
                .refused(reason, why))
                .subscribe().with(x -> {
                }, f -> LOG.errorf("dead letter for fedmsg %s lost: %s", topic, f.getMessage()));
    }

    private static byte[] joined(ZMsg msg) {
        StringBuilder sb = new StringBuilder();
        msg.forEach(f -> sb.append(new String(f.getData(), StandardCharsets.UTF_8)).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
