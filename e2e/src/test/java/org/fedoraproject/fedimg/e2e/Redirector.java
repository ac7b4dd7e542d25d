package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A hostile compose host on loopback (allowed: it is {@code http://127.0.0.1:<port>/}) that answers with
 * redirects and oversized bodies, and records every request it gets. The path says what to do, so one input
 * needs no state here:
 * <ul>
 * <li>{@code /r/<marker>/out/<where>/...}: 302 out of the allow-list: {@code leak} is this server under the name
 * {@code localhost} (not allowed, and loopback), so a request that followed it is seen under {@code /leak/};
 * {@code imds}, {@code evil}, {@code file}, {@code ftp} are the metadata service, a foreign host, and other
 * schemes;</li>
 * <li>{@code /r/<marker>/chain/<n>/<end>/...}: {@code n} more hops on this server, then {@code end}:
 * {@code served} (the same path on the compose server) or {@code leak};</li>
 * <li>{@code /r/<marker>/loop/...}: a redirect to itself;</li>
 * <li>{@code /r/<marker>/image-out/...}: images.json from the compose server (a redirect that stays allowed),
 * any other file out to {@code leak};</li>
 * <li>{@code /r/<marker>/big/<bytes>/<length|chunked>/...}: a 200 of {@code bytes} bytes of JSON, declared or
 * streamed without a length.</li>
 * </ul>
 */
final class Redirector implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final String composeServer;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    /** @param composeServer the base URL under which the compose server serves {@code /bad/<marker>/compose/...} */
    Redirector(String composeServer) throws IOException {
        this.composeServer = composeServer;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The compose location of an input: {@code http://127.0.0.1:<port>/r/<marker>/<rule>/compose}. */
    String location(String marker, String rule) {
        return "http://127.0.0.1:" + port() + "/r/" + marker + "/" + rule + "/compose";
    }

    /** Every request line seen ("GET /path"), in order. */
    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests that reached the not-allowed name of this server: there must be none. */
    List<String> leaks() {
        return requests().stream().filter(r -> r.contains(" /leak/")).toList();
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getRawPath();
        requests.add(x.getRequestMethod() + " " + path);
        try {
            String[] p = path.split("/", -1); // "", "r", marker, rule, ...
            if (p.length < 5 || !p[1].equals("r")) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            String marker = p[2];
            String rule = p[3];
            switch (rule) {
                case "out" -> redirect(x, outside(p[4], marker, tail(p, 5)));
                case "loop" -> redirect(x, path);
                case "image-out" -> redirect(x, path.endsWith("/images.json")
                        ? served(marker, tail(p, 4)) : leak(marker, tail(p, 4)));
                case "chain" -> {
                    int n = Integer.parseInt(p[4]);
                    String end = p[5];
                    String rest = tail(p, 6);
                    if (n > 0) {
                        redirect(x, "/r/" + marker + "/chain/" + (n - 1) + "/" + end + "/" + rest);
                    } else {
                        redirect(x, end.equals("leak") ? leak(marker, rest) : served(marker, rest));
                    }
                }
                case "big" -> big(x, Long.parseLong(p[4]), p[5].equals("length"));
                default -> x.sendResponseHeaders(404, -1);
            }
        } catch (RuntimeException e) {
            x.sendResponseHeaders(500, -1);
        } finally {
            x.close();
        }
    }

    private String outside(String where, String marker, String rest) {
        return switch (where) {
            case "leak" -> leak(marker, rest);
            case "imds" -> "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
            case "evil" -> "https://evil.example/" + marker + "/" + rest;
            case "file" -> "file:///etc/passwd";
            case "ftp" -> "ftp://127.0.0.1:" + port() + "/leak/" + marker;
            default -> "http://10.0.0.1/" + rest;
        };
    }

    private String leak(String marker, String rest) {
        return "http://localhost:" + port() + "/leak/" + marker + "/" + rest;
    }

    private String served(String marker, String rest) {
        return composeServer + "/bad/" + marker + "/" + rest;
    }

    private static String tail(String[] p, int from) {
        return String.join("/", java.util.Arrays.copyOfRange(p, from, p.length));
    }

    private static void redirect(HttpExchange x, String location) throws IOException {
        x.getResponseHeaders().set("Location", location);
        x.sendResponseHeaders(302, -1);
    }

    /** A JSON document of {@code bytes} bytes: a productmd header, then padding in a string. */
    private static void big(HttpExchange x, long bytes, boolean declared) throws IOException {
        byte[] head = "{\"header\":{\"type\":\"productmd.images\",\"version\":\"1.2\"},\"padding\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] end = "\"}".getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, declared ? bytes : 0);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = x.getResponseBody()) {
            out.write(head);
            long left = bytes - head.length - end.length;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
            out.write(end);
        } catch (IOException e) {
            // the bridge hangs up at its bound: that is the point
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
