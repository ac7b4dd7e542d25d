package org.fedoraproject.fedimg.tester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Where the OTLP exporter is pointed in tests: a socket that only counts the connections made to it, so a
 * test can show that with tracing off (the default) nothing connects to the collector. One per JVM.
 */
public class OtlpStandIn implements QuarkusTestResourceLifecycleManager {

    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static ServerSocket socket;

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.otel.exporter.otlp.endpoint", "http://127.0.0.1:" + listening().getLocalPort());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(this, new TestInjector.MatchesType(OtlpStandIn.class));
    }

    @Override
    public void stop() {
        // Shared for the whole JVM, like the broker and the emulator.
    }

    public int connections() {
        return CONNECTIONS.get();
    }

    private static synchronized ServerSocket listening() {
        if (socket == null) {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread accept = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        CONNECTIONS.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "otlp-stand-in");
            accept.setDaemon(true);
            accept.start();
        }
        return socket;
    }
}
