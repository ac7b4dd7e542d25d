package org.fedoraproject.fedimg.emulator.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.fedoraproject.fedimg.emulator.ebs.EbsApi;
import org.fedoraproject.fedimg.emulator.quotas.ServiceQuotasApi;
import org.fedoraproject.fedimg.emulator.s3.S3Request;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * One loopback HTTP endpoint for everything: EC2 Query ({@code POST /} with {@code Action=}), EBS direct
 * (REST paths under {@code /snapshots}), S3 (path-style {@code /bucket/key}, told apart by the service
 * {@code s3} in the credential scope), Service Quotas ({@code X-Amz-Target: ServiceQuotasV20190624.*}) and the
 * emulator's admin API under {@code /_emulator/} (no S3 bucket name has an underscore). The region, the service
 * and the access key (the account a call acts as) come from the SigV4 credential scope of the Authorization
 * header, as on AWS; an unsigned request to a path other than {@code /} and EBS's is an anonymous S3 request.
 */
public final class HttpFront implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpFront.class.getName());

    /** The admin API, implemented next to the public classes it exposes. */
    public interface Admin {
        HttpReply handle(String method, String path, Map<String, String> query, byte[] body) throws IOException;
    }

    private final Engine engine;
    private final ApiCalls calls;
    private final Admin admin;
    private final HttpServer server;
    private final ExecutorService pool;
    private final String host;
    private final String scheme;

    /** Request handler threads by default: enough for injected latencies to overlap as on AWS. */
    public static final int DEFAULT_THREADS = 64;

    /** With {@code tls} non-null, the endpoint is HTTPS. */
    public HttpFront(Engine engine, String host, int port, Admin admin, javax.net.ssl.SSLContext tls, int threads)
            throws IOException {
        this.engine = engine;
        this.calls = new ApiCalls(engine);
        this.admin = admin;
        this.host = host;
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "aws-emulator-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        this.pool = executor;
        noDelay();
        if (tls != null) {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer
                    .create(new InetSocketAddress(host, port), 512);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            this.server = https;
        } else {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 512);
        }
        this.scheme = tls != null ? "https" : "http";
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * The JDK HttpServer leaves Nagle's algorithm on unless told otherwise, so every small reply waits for
     * the client's delayed ACK (~40 ms). AWS answers in a few ms; so must the emulator. The property is read
     * once, when the first HttpServer of the JVM starts: tests set it on the command line as well.
     */
    private static void noDelay() {
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    public URI endpoint() {
        return URI.create(scheme + "://" + host + ":" + server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static final boolean TRACE = Boolean.getBoolean("aws-emulator.trace");

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        if (TRACE) {
            System.err.println("aws-emulator <- " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().entrySet());
        }
        try {
            HttpReply reply;
            try {
                reply = route(exchange);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "aws-emulator: unexpected failure", e);
                reply = HttpReply.xml(500, Ec2Xml.error("InternalError", "emulator failure: " + e, Ids.requestId()));
            }
            drain(exchange.getRequestBody());
            send(exchange, reply, "HEAD".equals(exchange.getRequestMethod()));
            if (TRACE) {
                System.err.println("aws-emulator -> " + reply.status() + " in " + (System.nanoTime() - started) / 1000
                        + " us");
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            exchange.close();
        }
    }

    private HttpReply route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = parseForm(exchange.getRequestURI().getRawQuery());
        if (path.startsWith("/_emulator")) {
            return admin.handle(method, path, query, exchange.getRequestBody().readAllBytes());
        }
        Map<String, String> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT),
                v.isEmpty() ? "" : v.get(0)));
        InputStream body = new BufferedInputStream(exchange.getRequestBody(), 64 * 1024);
        String sha = headers.getOrDefault("x-amz-content-sha256", "");
        String encoding = headers.getOrDefault("content-encoding", "");
        AwsChunkedInputStream chunked = null;
        if (sha.startsWith("STREAMING-") || encoding.contains("aws-chunked")) {
            chunked = new AwsChunkedInputStream(body);
            body = chunked;
        }
        SigV4.Scope scope = SigV4.scope(headers.get("authorization"));
        String ebsOp = EbsApi.operation(method, path);
        boolean s3Request = scope != null ? "s3".equals(scope.service()) : ebsOp == null && !"/".equals(path);
        boolean ebsRequest = !s3Request && ebsOp != null && (scope == null || !"ec2".equals(scope.service()));
        Duration latency = engine.faults().latency();
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (s3Request) {
            AwsChunkedInputStream trailers = chunked;
            return calls.s3(new S3Request(method, path, query, headers, body,
                    () -> trailers == null ? Map.of() : trailers.trailers(), scope == null ? null : scope.region(),
                    scope == null ? null : engine.accountFor(scope.accessKey())), scope == null ? null : scope.accessKey());
        }
        if (ebsRequest) {
            return calls.ebs(ebsOp, scope, path, query, headers, body);
        }
        String target = headers.getOrDefault("x-amz-target", "");
        if (target.startsWith(ServiceQuotasApi.TARGET_PREFIX)) {
            return calls.serviceQuotas(target.substring(ServiceQuotasApi.TARGET_PREFIX.length()), scope, body);
        }
        return calls.ec2(method, scope, query, body);
    }

    /** A HEAD answer has no body; its handler sets {@code Content-Length} itself where it means something. */
    private static void send(HttpExchange exchange, HttpReply reply, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        try (HttpReply.Body streamed = reply.streamed()) {
            byte[] body = reply.body();
            long length = head ? 0 : streamed != null ? streamed.length() : body.length;
            exchange.sendResponseHeaders(reply.status(), length == 0 ? -1 : length);
            if (length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    if (streamed != null) {
                        streamed.writeTo(out);
                    } else {
                        out.write(body);
                    }
                }
            }
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // nothing left to read
        }
    }

    static Map<String, String> parseForm(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
