package org.fedoraproject.fedimg.emulator.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * One instance's metadata service (IMDS), on a loopback port of its own that its VM reaches as
 * 169.254.169.254:80, so an instance sees only its own data. As EC2 serves it: {@code PUT /latest/api/token}
 * (IMDSv2; the TTL header is required) and, under {@code /latest/}, {@code meta-data/...} and
 * {@code user-data}. When the instance requires tokens (an AMI registered with ImdsSupport v2.0), a request
 * without a valid token is answered 401. Every request counts as a sign that the guest booted.
 */
public final class MetadataService implements AutoCloseable {

    private static final int MAX_TTL = 21600;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the instance is told. userData is the raw (decoded) bytes, null when it has none. */
    public record Data(String instanceId, String instanceType, String amiId, String localIpv4, String publicIpv4,
            String localHostname, String availabilityZone, String keyName, String openSshKey, byte[] userData,
            boolean tokensRequired) {
    }

    private final Data data;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private volatile boolean asked;

    public MetadataService(Data data) throws IOException {
        this.data = data;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        this.threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "aws-emulator-imds-" + data.instanceId());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Whether the guest has made any request. */
    public boolean asked() {
        return asked;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream body = ex.getRequestBody()) {
            body.readNBytes(4096);
            asked = true;
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/latest/api/token")) {
                if (!method.equals("PUT")) {
                    reply(ex, 405, "");
                    return;
                }
                token(ex);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply(ex, 405, "");
                return;
            }
            String token = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            if (token != null ? !valid(token) : data.tokensRequired()) {
                reply(ex, 401, "");
                return;
            }
            byte[] answer = answer(path);
            if (answer == null) {
                reply(ex, 404, "");
            } else {
                reply(ex, 200, answer);
            }
        }
    }

    private void token(HttpExchange ex) throws IOException {
        String ttl = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
        int seconds;
        try {
            seconds = ttl == null ? -1 : Integer.parseInt(ttl.trim());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > MAX_TTL) {
            reply(ex, 400, "");
            return;
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        tokens.put(token, Instant.now().plusSeconds(seconds));
        ex.getResponseHeaders().set("X-aws-ec2-metadata-token-ttl-seconds", String.valueOf(seconds));
        reply(ex, 200, token);
    }

    private boolean valid(String token) {
        Instant until = tokens.get(token);
        return until != null && Instant.now().isBefore(until);
    }

    /** The body for a path, or null (404). */
    byte[] answer(String path) {
        if (path.equals("/latest/user-data")) {
            return data.userData();
        }
        String text = switch (path) {
            case "/latest/meta-data", "/latest/meta-data/" -> String.join("\n", "ami-id", "hostname", "instance-id",
                    "instance-type", "local-hostname", "local-ipv4", "placement/",
                    data.openSshKey() == null ? null : "public-keys/", data.publicIpv4() == null ? null : "public-ipv4")
                    .replace("\nnull", "");
            case "/latest/meta-data/instance-id" -> data.instanceId();
            case "/latest/meta-data/instance-type" -> data.instanceType();
            case "/latest/meta-data/ami-id" -> data.amiId();
            case "/latest/meta-data/local-ipv4" -> data.localIpv4();
            case "/latest/meta-data/public-ipv4" -> data.publicIpv4();
            case "/latest/meta-data/hostname", "/latest/meta-data/local-hostname" -> data.localHostname();
            case "/latest/meta-data/placement/availability-zone" -> data.availabilityZone();
            case "/latest/meta-data/public-keys", "/latest/meta-data/public-keys/" ->
                data.openSshKey() == null ? null : "0=" + data.keyName();
            case "/latest/meta-data/public-keys/0", "/latest/meta-data/public-keys/0/" ->
                data.openSshKey() == null ? null : "openssh-key";
            case "/latest/meta-data/public-keys/0/openssh-key" -> data.openSshKey();
            default -> null;
        };
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        reply(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.getResponseHeaders().set("Server", "EC2ws");
        if (ex.getRequestMethod().equals("HEAD") || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
