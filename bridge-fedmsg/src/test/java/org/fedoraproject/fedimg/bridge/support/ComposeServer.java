package org.fedoraproject.fedimg.bridge.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for kojipkgs: serves the files under a directory by URL path. A file {@code <path>.fail} holding
 * a number N makes the next N requests for {@code <path>} answer 503 (a flaky server); a file
 * {@code <path>.delay} holding milliseconds makes every answer for it that late (a hanging server).
 */
public final class ComposeServer implements AutoCloseable {

    private final HttpServer server;
    private final Path root;

    public ComposeServer(Path root) {
        this.root = root;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath().replaceAll("/+", "/");
        Path delay = root.resolve(path.substring(1) + ".delay").normalize();
        if (delay.startsWith(root) && Files.exists(delay)) {
            try {
                Thread.sleep(Long.parseLong(Files.readString(delay).trim()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        answer(ex);
    }

    private synchronized void answer(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().replaceAll("/+", "/");
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root)) {
                ex.sendResponseHeaders(403, -1);
                return;
            }
            Path fail = file.resolveSibling(file.getFileName() + ".fail");
            if (Files.exists(fail)) {
                int left = Integer.parseInt(Files.readString(fail).trim());
                if (left > 0) {
                    Files.writeString(fail, String.valueOf(left - 1));
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
            }
            if (!Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
