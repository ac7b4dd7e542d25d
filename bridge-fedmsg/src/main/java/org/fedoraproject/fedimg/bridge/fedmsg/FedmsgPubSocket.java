package org.fedoraproject.fedimg.bridge.fedmsg;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.BusMessage;
import org.fedoraproject.fedimg.bridge.outbound.BusTransport;
import org.jboss.logging.Logger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A fedmsg PUB socket: two frames (topic, envelope JSON), the envelope optionally X.509-signed. Bound to the
 * endpoint (a fedmsg publisher), or connected to a fedmsg-relay's inbound endpoint in active mode. ZeroMQ
 * sockets are single-threaded, so every send runs on one thread.
 */
@ApplicationScoped
public class FedmsgPubSocket implements BusTransport {

    private static final Logger LOG = Logger.getLogger(FedmsgPubSocket.class);

    private final BridgeConfig.Fedmsg.Publish config;
    private final FedmsgEnvelopes envelopes;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedmsg-publisher");
        t.setDaemon(true);
        return t;
    });
    private final Clock clock = Clock.systemUTC();
    private ZContext context;
    private ZMQ.Socket socket;
    private X509Signer signer;

    public FedmsgPubSocket(BridgeConfig config) {
        this.config = config.fedmsg().publish();
        this.envelopes = new FedmsgEnvelopes(this.config.username());
    }

    /** Opens the socket now, so subscribers can connect before the first message. */
    public void start() {
        try {
            executor.submit(this::open).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the fedmsg PUB socket on " + config.endpoint() + ": "
                    + e.getMessage(), e);
        }
    }

    private void open() {
        if (socket != null) {
            return;
        }
        if (config.sign()) {
            if (config.certfile().isEmpty() || config.keyfile().isEmpty()) {
                throw new IllegalArgumentException("fedmsg signing needs certfile and keyfile");
            }
            signer = new X509Signer(Pem.privateKey(Path.of(config.keyfile().get())),
                    Pem.certificates(Path.of(config.certfile().get())).get(0));
        }
        context = new ZContext();
        socket = context.createSocket(SocketType.PUB);
        socket.setLinger(1000);
        socket.setTCPKeepAlive(1);
        socket.setSndHWM(0);
        if (config.connect()) {
            socket.connect(config.endpoint());
        } else {
            socket.bind(config.endpoint());
        }
        LOG.infof("fedmsg PUB %s %s (signing %s)", config.connect() ? "connected to" : "bound to", config.endpoint(),
                config.sign() ? "on" : "off");
    }

    @Override
    public String name() {
        return "fedmsg";
    }

    @Override
    public Uni<Delivery> publish(BusMessage message) {
        return Uni.createFrom().item(() -> {
            open();
            ObjectNode env = envelopes.envelope(message.topic(), message.id(), message.body(), clock.instant());
            if (signer != null) {
                signer.sign(env);
            }
            byte[] body = CanonicalJson.pythonDumps(env).getBytes(StandardCharsets.UTF_8);
            if (!socket.sendMore(message.topic()) || !socket.send(body)) {
                throw new IllegalStateException("ZeroMQ refused the message (errno " + socket.errno() + ")");
            }
            return Delivery.DELIVERED;
        }).runSubscriptionOn(executor);
    }

    public void stop() {
        executor.submit(() -> {
            if (context != null) {
                context.close();
            }
            socket = null;
        });
        executor.shutdown();
    }
}
