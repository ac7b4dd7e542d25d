package org.fedoraproject.fedimg.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP proxy on loopback that the hostile suite's bridge and uploader fetch through
 * ({@code fedimg.sources.proxy}): every connection they try is recorded here, whatever its target, so "nothing
 * outside the allow-list was contacted" is seen rather than inferred. It forwards plain-http GET and HEAD to
 * {@code 127.0.0.1} (the suite's compose hosts) one request per connection, and refuses everything else (a CONNECT,
 * another host) with 403 without contacting it.
 */
final class RecordingProxy implements AutoCloseable {

    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "recording-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<String> targets = Collections.synchronizedList(new ArrayList<>());

    RecordingProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    /** For {@code fedimg.sources.proxy}. */
    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Every target asked for, in order: {@code host:port} of each request or CONNECT. */
    List<String> targets() {
        synchronized (targets) {
            return List.copyOf(targets);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] line = head.get(0).split(" ");
            if (line.length != 3) {
                refuse(out);
                return;
            }
            String method = line[0].toUpperCase(Locale.ROOT);
            if (method.equals("CONNECT")) {
                targets.add(line[1]);
                refuse(out);
                return;
            }
            URI uri = URI.create(line[1]);
            int port = uri.getPort() < 0 ? 80 : uri.getPort();
            targets.add(uri.getHost() + ":" + port);
            if (!"http".equals(uri.getScheme()) || !"127.0.0.1".equals(uri.getHost())
                    || !(method.equals("GET") || method.equals("HEAD"))) {
                refuse(out);
                return;
            }
            forward(method, uri, port, head, out);
        } catch (IOException | IllegalArgumentException e) {
            // the client went away or sent nonsense; it sees the connection closed
        }
    }

    private static void forward(String method, URI uri, int port, List<String> head, OutputStream out)
            throws IOException {
        try (Socket origin = new Socket(uri.getHost(), port)) {
            StringBuilder request = new StringBuilder(method).append(' ').append(uri.getRawPath() == null
                    || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n");
            for (String h : head.subList(1, head.size())) {
                String name = h.substring(0, Math.max(0, h.indexOf(':'))).trim().toLowerCase(Locale.ROOT);
                // one request per connection, and no h2c upgrade through a proxy that speaks HTTP/1.1 only
                if (!name.equals("connection") && !name.equals("upgrade") && !name.equals("http2-settings")
                        && !name.startsWith("proxy-") && !name.equals("keep-alive")) {
                    request.append(h).append("\r\n");
                }
            }
            request.append("Connection: close\r\n\r\n");
            origin.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            origin.getOutputStream().flush();
            // the origin closes after its answer (Connection: close), and so does this connection then
            origin.getInputStream().transferTo(out);
            out.flush();
        }
    }

    private static void refuse(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The request line and headers, up to the empty line. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        int b;
        while ((b = in.read()) != -1 && total++ < MAX_HEAD) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                line.reset();
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
        return List.of();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        pool.shutdownNow();
    }
}
