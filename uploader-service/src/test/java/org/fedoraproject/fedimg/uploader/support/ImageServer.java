package org.fedoraproject.fedimg.uploader.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The compose server of the tests (JDK HttpServer): serves images with Range support, and on request
 * answers 404, redirects, cuts the connection in the middle of a body, ignores Range, or serves slowly.
 */
public final class ImageServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> breaks = new ConcurrentHashMap<>();
    private final Map<String, Long> throttle = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> stalls = new ConcurrentHashMap<>();
    private volatile java.time.Duration stallFor = java.time.Duration.ZERO;
    private volatile boolean ignoreRange;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> rawTargets = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<String> gated = ConcurrentHashMap.newKeySet();
    private final AtomicInteger gatedInFlight = new AtomicInteger();
    private final AtomicInteger gatedMaxInFlight = new AtomicInteger();
    private volatile int gateOpensAt = Integer.MAX_VALUE;
    private volatile java.time.Duration gateMax = java.time.Duration.ZERO;

    public ImageServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "image-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public ImageServer serve(String path, byte[] body) {
        files.put(path, body);
        return this;
    }

    /** Answers every request for {@code path} with this HTTP status and no body. */
    public ImageServer status(String path, int status) {
        statuses.put(path, status);
        return this;
    }

    public ImageServer redirect(String from, String to) {
        redirects.put(from, to);
        return this;
    }

    /** The next {@code times} download responses for {@code path} stop after half the bytes and drop the connection. */
    public ImageServer breakMidBody(String path, int times) {
        breaks.put(path, new AtomicInteger(times));
        return this;
    }

    /** The next {@code times} download responses for {@code path} send half the body, then nothing for {@code pause}. */
    public ImageServer stallMidBody(String path, int times, java.time.Duration pause) {
        stalls.put(path, new AtomicInteger(times));
        stallFor = pause;
        return this;
    }

    /** Sends {@code path} at about this many bytes per second. */
    public ImageServer slow(String path, long bytesPerSecond) {
        throttle.put(path, bytesPerSecond);
        return this;
    }

    /**
     * Full downloads of these paths pause after half their body until {@code together} of them are in
     * flight at once (or {@code max} passed): a service that takes images one at a time never gets there.
     */
    public ImageServer holdUntilConcurrent(java.util.Collection<String> paths, int together, java.time.Duration max) {
        gated.addAll(paths);
        gatedMaxInFlight.set(0); // counted per gate, so each test sees its own downloads
        gateOpensAt = together;
        gateMax = max;
        return this;
    }

    /** The most gated downloads that were in flight at once since the last {@link #holdUntilConcurrent}. */
    public int maxConcurrentHeld() {
        return gatedMaxInFlight.get();
    }

    public ImageServer ignoreRange(boolean ignore) {
        this.ignoreRange = ignore;
        return this;
    }

    /** "GET /path [Range]" for every request, in order. */
    public List<String> requests() {
        return requests;
    }

    /** The request targets exactly as they came on the request line (not decoded). */
    public List<String> rawTargets() {
        return rawTargets;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        rawTargets.add(ex.getRequestURI().getRawPath());
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
        try (ex) {
            Integer fixed = statuses.get(path);
            if (fixed != null) {
                ex.sendResponseHeaders(fixed, -1);
                return;
            }
            String to = redirects.get(path);
            if (to != null) {
                ex.getResponseHeaders().add("Location", to);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            byte[] body = files.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long start = 0;
            long last = body.length - 1;
            int status = 200;
            if (range != null && !ignoreRange && range.startsWith("bytes=")) {
                String spec = range.substring(6);
                int dash = spec.indexOf('-');
                if (dash == 0) {
                    start = Math.max(0, body.length - Long.parseLong(spec.substring(1)));
                } else {
                    start = Long.parseLong(spec.substring(0, dash));
                    if (dash < spec.length() - 1) {
                        last = Math.min(last, Long.parseLong(spec.substring(dash + 1)));
                    }
                }
                if (start >= body.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + last + "/" + body.length);
            }
            ex.getResponseHeaders().add("Accept-Ranges", "bytes");
            long length = last + 1 - start;
            ex.sendResponseHeaders(status, length);
            OutputStream out = ex.getResponseBody();
            AtomicInteger broken = breaks.get(path);
            long stopAt = length;
            // downloads ask for the whole file or the rest of it; the xz index is read with closed ranges
            boolean download = range == null || range.endsWith("-");
            if (download && broken != null && broken.getAndDecrement() > 0) {
                stopAt = length / 2;
            }
            AtomicInteger stall = stalls.get(path);
            boolean stalling = download && stall != null && stall.getAndDecrement() > 0;
            if (stalling) {
                stopAt = length / 2;
            }
            Long rate = throttle.get(path);
            int off = (int) start;
            boolean held = range == null && gated.contains(path);
            if (held) {
                gatedMaxInFlight.accumulateAndGet(gatedInFlight.incrementAndGet(), Math::max);
            }
            try {
                send(out, body, off, stopAt, rate, held ? length / 2 : -1);
            } finally {
                if (held) {
                    gatedInFlight.decrementAndGet();
                }
            }
            if (stalling) {
                sleep(stallFor.toMillis());
            }
            if (stopAt < length) {
                // drop the connection with the body unfinished: the client sees a broken transfer
                throw new IOException("dropping connection mid-body (test)");
            }
        }
    }

    private void send(OutputStream out, byte[] body, int off, long stopAt, Long rate, long holdAt) throws IOException {
        long sent = 0;
        while (sent < stopAt) {
            if (sent >= holdAt && holdAt >= 0) {
                long deadline = System.nanoTime() + gateMax.toNanos();
                while (gatedInFlight.get() < gateOpensAt && System.nanoTime() < deadline) {
                    sleep(20);
                }
                holdAt = -1;
            }
            int n = (int) Math.min(rate == null ? 64 * 1024 : Math.max(1024, rate / 20), stopAt - sent);
            if (holdAt > sent) {
                n = (int) Math.min(n, holdAt - sent);
            }
            out.write(body, off, n);
            out.flush();
            off += n;
            sent += n;
            if (rate != null) {
                sleep(50);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
