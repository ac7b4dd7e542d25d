package org.fedoraproject.fedimg.cli.local;

import java.time.Instant;
import java.time.Year;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A fedmsg publisher, as pungi's hub would be: a bound ZeroMQ PUB socket sending the two-frame
 * (topic, envelope) messages the bridge subscribes to.
 */
public final class FedmsgPublisher implements AutoCloseable {

    private final ZContext context = new ZContext();
    private final ZMQ.Socket socket;
    private final String endpoint;
    private int counter;

    public FedmsgPublisher(int port) {
        socket = context.createSocket(SocketType.PUB);
        endpoint = "tcp://127.0.0.1:" + port;
        socket.bind(endpoint);
    }

    public String endpoint() {
        return endpoint;
    }

    /** Sends the envelope; the same {@code msgId} again is a redelivery the bridge deduplicates. */
    public synchronized void publish(String topic, Map<String, Object> body, String msgId) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("topic", topic);
        envelope.put("msg", body);
        envelope.put("timestamp", Instant.now().getEpochSecond());
        envelope.put("msg_id", msgId);
        envelope.put("i", ++counter);
        envelope.put("username", "fedimg-local");
        socket.sendMore(topic);
        socket.send(EventJson.writeString(envelope));
    }

    public static String newMsgId() {
        return Year.now() + "-" + UUID.randomUUID();
    }

    @Override
    public void close() {
        context.close();
    }
}
