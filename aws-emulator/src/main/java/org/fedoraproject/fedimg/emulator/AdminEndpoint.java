package org.fedoraproject.fedimg.emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.HttpFront;
import org.fedoraproject.fedimg.emulator.http.HttpReply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The emulator's own HTTP API under {@code /_emulator/}, for local mode and process-level tests:
 * <ul>
 * <li>{@code GET /_emulator/health}</li>
 * <li>{@code POST /_emulator/faults} with a JSON object (see README), {@code DELETE /_emulator/faults}</li>
 * <li>{@code POST /_emulator/reset}</li>
 * <li>{@code POST /_emulator/delays} with {@code {"profile":"fast"}}</li>
 * <li>{@code GET /_emulator/live}, {@code GET /_emulator/calls?action=X[&region=R]},
 * {@code GET /_emulator/calls-by-access-key}</li>
 * <li>{@code GET /_emulator/regions/{region}/{images|snapshots|instances|volumes|key-pairs|security-groups}}</li>
 * <li>{@code GET /_emulator/regions/{region}/snapshots/{id}/sha256}, {@code .../images/{id}/sha256} (an
 * instance-store image)</li>
 * <li>{@code GET /_emulator/s3/buckets}, {@code GET /_emulator/s3/buckets/{name}/objects}</li>
 * <li>{@code GET /_emulator/ec2-certificate} (PEM: what instance-store bundles seal their key for)</li>
 * <li>{@code POST /_emulator/signing-certificates} with a PEM certificate, {@code GET /_emulator/signing-certificates}</li>
 * <li>{@code GET /_emulator/quotas[?region=R]} (value and use of each AMI quota per region), {@code POST
 * /_emulator/quotas[?region=R]} with {@code {"public-amis": 20}} (a quota increase, by name or Service Quotas
 * code, in every region or in R; undone by reset)</li>
 * </ul>
 */
final class AdminEndpoint implements HttpFront.Admin {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final AwsEmulator emulator;

    AdminEndpoint(AwsEmulator emulator) {
        this.emulator = emulator;
    }

    @Override
    public HttpReply handle(String method, String path, Map<String, String> query, byte[] body) throws IOException {
        try {
            return route(method, path, query, body);
        } catch (IllegalArgumentException | IOException e) {
            return HttpReply.json(400, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())).toString());
        } catch (RuntimeException e) {
            return HttpReply.json(404, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())).toString());
        }
    }

    private HttpReply route(String method, String path, Map<String, String> query, byte[] body) throws IOException {
        String[] p = path.substring(1).split("/");
        String what = p.length > 1 ? p[1] : "";
        Inspector inspect = emulator.inspect();
        switch (method + " " + what) {
            case "GET health":
                return ok(Map.of("status", "ok", "endpoint", emulator.endpoint().toString(),
                        "regions", emulator.regions().size(), "heap", heap()));
            case "POST faults":
                apply(JSON.readTree(body.length == 0 ? "{}".getBytes() : body));
                return ok(Map.of("status", "applied"));
            case "DELETE faults":
                emulator.faults().clear();
                return ok(Map.of("status", "cleared"));
            case "POST reset":
                emulator.reset();
                return ok(Map.of("status", "reset"));
            case "POST delays":
                emulator.delays(Delays.named(JSON.readTree(body).path("profile").asText("zero")));
                return ok(Map.of("status", "applied"));
            case "GET quotas": {
                List<String> regions = query.containsKey("region") ? List.of(query.get("region")) : emulator.regions();
                Map<String, List<Views.QuotaUse>> out = new LinkedHashMap<>();
                regions.forEach(r -> out.put(r, inspect.quotas(r)));
                return ok(out);
            }
            case "POST quotas": {
                JsonNode doc = JSON.readTree(body);
                if (doc == null || !doc.isObject() || doc.isEmpty()) {
                    throw new IllegalArgumentException("a JSON object of quota name or code -> value is required");
                }
                String region = query.get("region");
                if (region != null && !emulator.regions().contains(region)) {
                    throw new IllegalArgumentException("region " + region + " is not served");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().canConvertToLong()) {
                        throw new IllegalArgumentException("quota " + e.getKey() + " needs a whole number");
                    }
                    Quota quota = Quota.named(e.getKey());
                    if (region == null) {
                        emulator.quotas().set(quota, e.getValue().asLong());
                    } else {
                        emulator.quotas().set(region, quota, e.getValue().asLong());
                    }
                }
                return ok(Map.of("status", "applied"));
            }
            case "GET live":
                return ok(inspect.liveResources());
            case "GET calls-by-access-key":
                return ok(emulator.faults().signals().callsByAccessKey());
            case "GET calls": {
                String action = query.get("action");
                if (action == null) {
                    throw new IllegalArgumentException("action is required");
                }
                String region = query.get("region");
                long count = region == null ? inspect.callCount(action) : inspect.callCount(action, region);
                return ok(Map.of("action", action, "count", count));
            }
            case "GET ec2-certificate":
                return new HttpReply(200, "application/x-pem-file", new LinkedHashMap<>(),
                        inspect.ec2CertificatePem().getBytes(StandardCharsets.US_ASCII));
            case "POST signing-certificates":
                emulator.registerSigningCertificate(new String(body, StandardCharsets.US_ASCII));
                return ok(Map.of("status", "registered", "certificates", certificates()));
            case "GET signing-certificates":
                return ok(certificates());
            case "GET s3": {
                if (p.length == 3 && p[2].equals("buckets")) {
                    return ok(inspect.buckets());
                }
                if (p.length == 5 && p[2].equals("buckets") && p[4].equals("objects")) {
                    return ok(inspect.objects(p[3]));
                }
                throw new IllegalArgumentException("unknown S3 path " + path);
            }
            case "GET regions": {
                if (p.length < 4) {
                    return ok(emulator.regions());
                }
                String region = p[2];
                if (p.length == 6 && p[3].equals("snapshots") && p[5].equals("sha256")) {
                    return ok(Map.of("snapshotId", p[4], "sha256", inspect.snapshotSha256(region, p[4])));
                }
                if (p.length == 6 && p[3].equals("images") && p[5].equals("sha256")) {
                    return ok(Map.of("imageId", p[4], "sha256", inspect.imageSha256(region, p[4])));
                }
                return switch (p[3]) {
                    case "images" -> ok(inspect.images(region));
                    case "snapshots" -> ok(inspect.snapshots(region));
                    case "instances" -> ok(inspect.instances(region));
                    case "volumes" -> ok(inspect.volumes(region));
                    case "key-pairs" -> ok(inspect.keyPairs(region));
                    case "security-groups" -> ok(inspect.securityGroups(region));
                    default -> throw new IllegalArgumentException("unknown collection " + p[3]);
                };
            }
            default:
                return HttpReply.json(404, "{\"error\":\"unknown admin path " + method + " " + path + "\"}");
        }
    }

    /**
     * Applies a faults document; every field is optional:
     * {@code {"throttle":0.1,"internalErrors":0.05,"latency":"PT0.2S","snapshotNotFoundFor":"PT3S",
     * "instanceNeverPassesStatusChecks":true,"failCopyImageInto":["eu-west-1"],"publicAmiQuotaExceeded":["us-east-1"],
     * "blockPublicAccess":{"us-east-2":true},"bucketOwnedElsewhere":["taken"],
     * "failCall":[{"action":"CopyImage","times":2,"errorCode":"InternalError"}],
     * "signal":[{"action":"CopyImage","accessKey":"replicator-1","nth":1,"when":"after","file":"/tmp/sig","hold":"PT10S"}],
     * "clear":true}}
     */
    private void apply(JsonNode doc) {
        Faults f = emulator.faults();
        if (doc.path("clear").asBoolean(false)) {
            f.clear();
        }
        if (doc.has("throttle")) {
            f.throttle(doc.get("throttle").asDouble());
        }
        if (doc.has("internalErrors")) {
            f.internalErrors(doc.get("internalErrors").asDouble());
        }
        if (doc.has("latency")) {
            f.latency(Duration.parse(doc.get("latency").asText()));
        }
        if (doc.has("snapshotNotFoundFor")) {
            f.snapshotNotFoundFor(Duration.parse(doc.get("snapshotNotFoundFor").asText()));
        }
        if (doc.has("instanceNeverPassesStatusChecks")) {
            f.instanceNeverPassesStatusChecks(doc.get("instanceNeverPassesStatusChecks").asBoolean());
        }
        for (JsonNode r : doc.path("failCopyImageInto")) {
            f.failCopyImageInto(r.asText());
        }
        for (JsonNode r : doc.path("publicAmiQuotaExceeded")) {
            f.publicAmiQuotaExceeded(r.asText());
        }
        for (JsonNode b : doc.path("bucketOwnedElsewhere")) {
            f.bucketOwnedElsewhere(b.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("blockPublicAccess").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            f.blockPublicAccess(e.getKey(), e.getValue().asBoolean());
        }
        for (JsonNode call : doc.path("failCall")) {
            f.failCall(call.path("action").asText(), call.path("times").asInt(1), call.path("errorCode").asText());
        }
        for (JsonNode sig : doc.path("signal")) {
            if (!sig.hasNonNull("action") || !sig.hasNonNull("file")) {
                throw new IllegalArgumentException("a signal needs an action and a file: " + sig);
            }
            f.signals().atFile(sig.get("action").asText(), sig.hasNonNull("accessKey") ? sig.get("accessKey").asText() : null,
                    sig.path("nth").asInt(1), CallSignals.When.valueOf(sig.path("when").asText("before").toUpperCase(
                            java.util.Locale.ROOT)), java.nio.file.Path.of(sig.get("file").asText()),
                    Duration.parse(sig.path("hold").asText("PT10S")));
        }
    }

    /** Subject and SHA-256 fingerprint of each registered signing certificate. */
    private List<Map<String, String>> certificates() {
        List<Map<String, String>> out = new ArrayList<>();
        for (X509Certificate c : emulator.inspect().signingCertificates()) {
            try {
                out.add(Map.of("subject", c.getSubjectX500Principal().getName(), "sha256", HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()))));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** The emulator JVM's heap: used, peak since start (or the last reset of peaks) and max, in bytes. */
    private static Map<String, Long> heap() {
        long used = 0;
        long peak = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return Map.of("used", used, "peak", peak, "max", Runtime.getRuntime().maxMemory());
    }

    private static HttpReply ok(Object value) throws IOException {
        return HttpReply.json(200, JSON.writeValueAsString(value));
    }
}
