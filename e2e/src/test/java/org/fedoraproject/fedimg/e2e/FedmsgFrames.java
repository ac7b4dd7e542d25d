package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** A bound fedmsg PUB socket that sends whatever frames it is given, well-formed or not. */
final class FedmsgFrames implements AutoCloseable {

    private final ZContext context = new ZContext();
    private final ZMQ.Socket socket;
    private final String endpoint;

    FedmsgFrames() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        endpoint = "tcp://127.0.0.1:" + port;
        socket = context.createSocket(SocketType.PUB);
        socket.setSndHWM(0);
        socket.bind(endpoint);
    }

    String endpoint() {
        return endpoint;
    }

    synchronized void send(List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
