package org.fedoraproject.fedimg.emulator.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The EBS direct APIs (REST-JSON) on the same endpoint: StartSnapshot, PutSnapshotBlock, CompleteSnapshot,
 * ListSnapshotBlocks, GetSnapshotBlock and ListChangedBlocks. Blocks are 512 KiB, checksummed with SHA-256
 * and stored via the {@link BlockStore}; the snapshot is the same object EC2 DescribeSnapshots shows.
 */
final class EbsApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** PutSnapshotBlock bodies, read into a reused array instead of a new 512 KiB one per request. */
    private static final ThreadLocal<byte[]> BODY = ThreadLocal.withInitial(() -> new byte[BlockStore.BLOCK_SIZE]);
    private final Engine engine;

    EbsApi(Engine engine) {
        this.engine = engine;
    }

    /** The operation name of a request, for fault injection and call counting; null if no route matches. */
    static String operation(String method, String path) {
        String[] p = segments(path);
        if (p.length == 1 && p[0].equals("snapshots") && method.equals("POST")) {
            return "StartSnapshot";
        }
        if (p.length == 3 && p[0].equals("snapshots") && p[1].equals("completion") && method.equals("POST")) {
            return "CompleteSnapshot";
        }
        if (p.length == 4 && p[0].equals("snapshots") && p[2].equals("blocks")) {
            return method.equals("PUT") ? "PutSnapshotBlock" : method.equals("GET") ? "GetSnapshotBlock" : null;
        }
        if (p.length == 3 && p[0].equals("snapshots") && p[2].equals("blocks") && method.equals("GET")) {
            return "ListSnapshotBlocks";
        }
        if (p.length == 3 && p[0].equals("snapshots") && p[2].equals("changedblocks") && method.equals("GET")) {
            return "ListChangedBlocks";
        }
        return null;
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
    }

    HttpReply handle(String operation, String region, String path, Map<String, String> query,
            Map<String, String> headers, InputStream body) throws IOException {
        String[] p = segments(path);
        return switch (operation) {
            case "StartSnapshot" -> startSnapshot(region, body);
            case "PutSnapshotBlock" -> putBlock(region, p[1], p[3], headers, body);
            case "CompleteSnapshot" -> complete(region, p[2], headers);
            case "ListSnapshotBlocks" -> listBlocks(region, p[1], query);
            case "GetSnapshotBlock" -> getBlock(region, p[1], p[3], query);
            case "ListChangedBlocks" -> listChanged(region, p[1], query);
            default -> throw new EbsException(404, "ResourceNotFoundException", null, "No route");
        };
    }

    // ---- StartSnapshot ----

    private HttpReply startSnapshot(String regionName, InputStream body) throws IOException {
        JsonNode req = readJson(body);
        Model.SnapRec snap;
        synchronized (engine) {
            RegionState region = engine.region(regionName);
            if (!req.hasNonNull("VolumeSize")) {
                throw EbsException.validation("INVALID_VOLUME_SIZE", "VolumeSize is required");
            }
            long size = req.get("VolumeSize").asLong();
            if (size < 1 || size > 65536) {
                throw EbsException.validation("INVALID_VOLUME_SIZE", "VolumeSize must be between 1 and 65536 GiB");
            }
            int timeout = req.hasNonNull("Timeout") ? req.get("Timeout").asInt() : 60;
            if (timeout < 10 || timeout > 4320) {
                throw EbsException.validation("INVALID_PARAMETER_VALUE", "Timeout must be between 10 and 4320 minutes");
            }
            String token = text(req, "ClientToken");
            ObjectNode withoutToken = ((ObjectNode) req.deepCopy());
            withoutToken.remove("ClientToken");
            String fingerprint = withoutToken.toString();
            if (token != null) {
                Model.Token earlier = region.clientTokens.get("StartSnapshot/" + token);
                if (earlier != null) {
                    if (!earlier.paramsFingerprint().equals(fingerprint)) {
                        throw new EbsException(409, "ConflictException", null,
                                "The request uses the same client token as a previous, but non-identical request.");
                    }
                    Model.SnapRec existing = region.snapshots.get(earlier.resultId());
                    if (existing != null) {
                        return HttpReply.json(201, snapshotJson(existing).toString());
                    }
                }
            }
            String parentId = text(req, "ParentSnapshotId");
            Model.SnapRec parent = null;
            if (parentId != null) {
                parent = region.snapshots.get(parentId);
                if (parent == null) {
                    throw EbsException.notFound("The parent snapshot " + parentId + " does not exist.");
                }
                if (!"completed".equals(engine.snapshotState(parent))) {
                    throw EbsException.validation("INVALID_SNAPSHOT_ID", "The parent snapshot is not completed");
                }
                if (size < parent.sizeGiB) {
                    throw EbsException.validation("INVALID_VOLUME_SIZE",
                            "VolumeSize is smaller than the parent snapshot's");
                }
            }
            boolean encrypted = req.path("Encrypted").asBoolean(false) || region.ebsEncryptionByDefault
                    || parent != null && parent.encrypted;
            String kms = text(req, "KmsKeyArn");
            if (kms != null && !encrypted) {
                throw EbsException.validation("INVALID_PARAMETER_VALUE", "KmsKeyArn requires Encrypted=true");
            }
            snap = new Model.SnapRec(Ids.next("snap"), region.name, Instant.now());
            snap.ownerId = engine.accountId();
            snap.description = req.hasNonNull("Description") ? req.get("Description").asText() : "";
            snap.volumeId = "vol-ffffffff";
            snap.sizeGiB = (int) size;
            snap.encrypted = encrypted;
            snap.kmsKeyId = encrypted ? (kms != null ? kms : parent != null && parent.kmsKeyId != null
                    ? parent.kmsKeyId : "arn:aws:kms:" + region.name + ":" + engine.accountId() + ":alias/aws/ebs") : null;
            snap.ebsDirect = true;
            snap.timeoutMinutes = timeout;
            snap.parentSnapshotId = parentId;
            snap.completeAfter = engine.delays().snapshotCompletion();
            if (parent != null) {
                snap.blocks.putAll(parent.blocks);
            }
            for (JsonNode tag : req.path("Tags")) {
                Ec2Support.putTag(snap.tags, text(tag, "Key"), text(tag, "Value"));
            }
            engine.markNew(snap);
            region.snapshots.put(snap.id, snap);
            if (token != null) {
                region.clientTokens.put("StartSnapshot/" + token, new Model.Token(fingerprint, snap.id));
            }
        }
        return HttpReply.json(201, snapshotJson(snap).toString());
    }

    private ObjectNode snapshotJson(Model.SnapRec snap) {
        ObjectNode out = JSON.createObjectNode();
        out.put("SnapshotId", snap.id);
        out.put("OwnerId", snap.ownerId);
        out.put("Status", ebsStatus(snap));
        out.put("StartTime", snap.created.toEpochMilli() / 1000.0);
        out.put("VolumeSize", snap.sizeGiB);
        out.put("BlockSize", BlockStore.BLOCK_SIZE);
        if (!snap.description.isEmpty()) {
            out.put("Description", snap.description);
        }
        if (snap.parentSnapshotId != null) {
            out.put("ParentSnapshotId", snap.parentSnapshotId);
        }
        if (snap.kmsKeyId != null) {
            out.put("KmsKeyArn", snap.kmsKeyId);
        }
        out.put("SseType", snap.encrypted ? "sse-kms" : "none");
        ArrayNode tags = out.putArray("Tags");
        snap.tags.forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
        return out;
    }

    private String ebsStatus(Model.SnapRec snap) {
        return engine.snapshotState(snap);
    }

    // ---- PutSnapshotBlock ----

    private HttpReply putBlock(String regionName, String snapshotId, String indexText, Map<String, String> headers,
            InputStream body) throws IOException {
        Model.SnapRec snap = writableSnapshot(regionName, snapshotId);
        int index = blockIndex(indexText, snap);
        String lengthHeader = headers.get("x-amz-data-length");
        if (lengthHeader == null) {
            throw EbsException.validation("INVALID_PARAMETER_VALUE", "x-amz-Data-Length is required");
        }
        int length = Integer.parseInt(lengthHeader.trim());
        if (length != BlockStore.BLOCK_SIZE) {
            throw EbsException.validation("INVALID_BLOCK", "The data length must be " + BlockStore.BLOCK_SIZE
                    + " bytes (512 KiB), was " + length);
        }
        String algorithm = headers.get("x-amz-checksum-algorithm");
        String checksum = headers.get("x-amz-checksum");
        if (checksum == null || algorithm == null) {
            throw EbsException.validation("INVALID_PARAMETER_VALUE", "x-amz-Checksum and x-amz-Checksum-Algorithm are required");
        }
        if (!"SHA256".equals(algorithm)) {
            throw EbsException.validation("INVALID_PARAMETER_VALUE", "Unsupported checksum algorithm " + algorithm);
        }
        // one buffer per handler thread: the store copies what it keeps
        byte[] data = BODY.get();
        int n = body.readNBytes(data, 0, BlockStore.BLOCK_SIZE);
        boolean extra = body.read() >= 0;
        if (n != BlockStore.BLOCK_SIZE || extra) {
            throw EbsException.validation("INVALID_BLOCK", "The request body does not match x-amz-Data-Length");
        }
        byte[] sha = BlockStore.sha256(data, data.length);
        if (!Base64.getEncoder().encodeToString(sha).equals(checksum.trim())) {
            throw EbsException.validation("INVALID_BLOCK", "The checksum of block " + index
                    + " does not match the x-amz-Checksum header");
        }
        String key = engine.store.put(data, sha);
        snap.writtenBlocks.put(index, key);
        snap.blocks.put(index, key);
        return new HttpReply(201, "application/json", new LinkedHashMap<>(), new byte[0])
                .header("x-amz-Checksum", checksum.trim())
                .header("x-amz-Checksum-Algorithm", "SHA256");
    }

    private Model.SnapRec writableSnapshot(String regionName, String snapshotId) {
        synchronized (engine) {
            Model.SnapRec snap = snapshot(regionName, snapshotId);
            if (!snap.ebsDirect || snap.dataReadyAt != null) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "The snapshot " + snapshotId
                        + " is not in a state that accepts blocks (" + engine.snapshotState(snap) + ")");
            }
            if (snap.error || "error".equals(engine.snapshotState(snap))) {
                throw EbsException.validation("WRITE_REQUEST_TIMEOUT", "The snapshot " + snapshotId
                        + " timed out before it was completed");
            }
            return snap;
        }
    }

    private Model.SnapRec snapshot(String regionName, String snapshotId) {
        RegionState region = engine.region(regionName);
        Model.SnapRec snap = region.snapshots.get(snapshotId);
        if (snap == null) {
            throw EbsException.notFound("The snapshot '" + snapshotId + "' does not exist.");
        }
        Duration window = engine.faults().snapshotNotFoundWindow();
        if (snap.ebsDirect && !window.isZero() && Instant.now().isBefore(snap.created.plus(window))) {
            throw EbsException.notFound("The snapshot '" + snapshotId + "' does not exist.");
        }
        return snap;
    }

    private static int blockIndex(String text, Model.SnapRec snap) {
        long index;
        try {
            index = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw EbsException.validation("INVALID_BLOCK", "Invalid block index " + text);
        }
        if (index < 0 || index >= (long) snap.sizeGiB * BlockStore.BLOCKS_PER_GIB) {
            throw EbsException.validation("INVALID_BLOCK", "Block index " + index + " is outside the volume of "
                    + snap.sizeGiB + " GiB");
        }
        return (int) index;
    }

    // ---- CompleteSnapshot ----

    private HttpReply complete(String regionName, String snapshotId, Map<String, String> headers) {
        synchronized (engine) {
            Model.SnapRec snap = snapshot(regionName, snapshotId);
            if (!snap.ebsDirect) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "Snapshot " + snapshotId + " was not started by StartSnapshot");
            }
            if (snap.dataReadyAt != null) {
                // Already completed: AWS answers with the current status.
                return HttpReply.json(202, "{\"Status\":\"" + ebsStatus(snap) + "\"}");
            }
            if ("error".equals(engine.snapshotState(snap))) {
                throw EbsException.validation("WRITE_REQUEST_TIMEOUT", "The snapshot timed out");
            }
            String countHeader = headers.get("x-amz-changedblockscount");
            if (countHeader == null) {
                throw EbsException.validation("INVALID_PARAMETER_VALUE", "x-amz-ChangedBlocksCount is required");
            }
            int expected = Integer.parseInt(countHeader.trim());
            int written = snap.writtenBlocks.size();
            if (expected != written) {
                throw EbsException.validation("INVALID_PARAMETER_VALUE", "ChangedBlocksCount is " + expected
                        + " but " + written + " blocks were written to " + snapshotId);
            }
            String checksum = headers.get("x-amz-checksum");
            if (checksum != null) {
                String algorithm = headers.getOrDefault("x-amz-checksum-algorithm", "SHA256");
                String method = headers.getOrDefault("x-amz-checksum-aggregation-method", "LINEAR");
                if (!"SHA256".equals(algorithm) || !"LINEAR".equals(method)) {
                    throw EbsException.validation("INVALID_PARAMETER_VALUE",
                            "Only SHA256 with LINEAR aggregation is supported");
                }
                MessageDigest aggregate = BlockStore.newSha256();
                for (String key : snap.writtenBlocks.values()) {
                    aggregate.update(BlockStore.shaOf(key));
                }
                String actual = Base64.getEncoder().encodeToString(aggregate.digest());
                if (!actual.equals(checksum.trim())) {
                    throw EbsException.validation("INVALID_PARAMETER_VALUE", "The aggregated checksum " + checksum
                            + " does not match the blocks written to " + snapshotId);
                }
            }
            snap.dataReadyAt = Instant.now();
            return HttpReply.json(202, "{\"Status\":\"" + ebsStatus(snap) + "\"}");
        }
    }

    // ---- reading ----

    private Model.SnapRec completedSnapshot(String regionName, String snapshotId) {
        synchronized (engine) {
            Model.SnapRec snap = snapshot(regionName, snapshotId);
            if (!"completed".equals(engine.snapshotState(snap))) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "Snapshot " + snapshotId + " is not completed");
            }
            return snap;
        }
    }

    private HttpReply listBlocks(String regionName, String snapshotId, Map<String, String> query) {
        Model.SnapRec snap = completedSnapshot(regionName, snapshotId);
        int max = pageSize(query);
        int start = startIndex(query);
        NavigableMap<Integer, String> tail = snap.blocks.tailMap(start, true);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode blocks = out.putArray("Blocks");
        int count = 0;
        Integer next = null;
        for (Map.Entry<Integer, String> e : tail.entrySet()) {
            if (count == max) {
                next = e.getKey();
                break;
            }
            blocks.addObject().put("BlockIndex", e.getKey()).put("BlockToken", token(snap.id, e.getKey(), e.getValue()));
            count++;
        }
        out.put("ExpiryTime", Instant.now().plus(Duration.ofDays(7)).getEpochSecond());
        out.put("VolumeSize", snap.sizeGiB);
        out.put("BlockSize", BlockStore.BLOCK_SIZE);
        if (next != null) {
            out.put("NextToken", pageToken(next));
        }
        return HttpReply.json(200, out.toString());
    }

    private HttpReply listChanged(String regionName, String secondId, Map<String, String> query) {
        Model.SnapRec second = completedSnapshot(regionName, secondId);
        String firstId = query.get("firstSnapshotId");
        NavigableMap<Integer, String> first = new TreeMap<>();
        if (firstId != null) {
            first.putAll(completedSnapshot(regionName, firstId).blocks);
        }
        int max = pageSize(query);
        int start = startIndex(query);
        TreeMap<Integer, String[]> changed = new TreeMap<>();
        second.blocks.tailMap(start, true).forEach((i, k) -> {
            String before = first.get(i);
            if (!k.equals(before)) {
                changed.put(i, new String[] {before, k});
            }
        });
        first.tailMap(start, true).forEach((i, k) -> {
            if (!second.blocks.containsKey(i)) {
                changed.put(i, new String[] {k, null});
            }
        });
        ObjectNode out = JSON.createObjectNode();
        ArrayNode blocks = out.putArray("ChangedBlocks");
        int count = 0;
        Integer next = null;
        for (Map.Entry<Integer, String[]> e : changed.entrySet()) {
            if (count == max) {
                next = e.getKey();
                break;
            }
            ObjectNode b = blocks.addObject().put("BlockIndex", e.getKey());
            if (e.getValue()[0] != null) {
                b.put("FirstBlockToken", token(firstId, e.getKey(), e.getValue()[0]));
            }
            if (e.getValue()[1] != null) {
                b.put("SecondBlockToken", token(second.id, e.getKey(), e.getValue()[1]));
            }
            count++;
        }
        out.put("ExpiryTime", Instant.now().plus(Duration.ofDays(7)).getEpochSecond());
        out.put("VolumeSize", second.sizeGiB);
        out.put("BlockSize", BlockStore.BLOCK_SIZE);
        if (next != null) {
            out.put("NextToken", pageToken(next));
        }
        return HttpReply.json(200, out.toString());
    }

    private HttpReply getBlock(String regionName, String snapshotId, String indexText, Map<String, String> query) {
        Model.SnapRec snap = completedSnapshot(regionName, snapshotId);
        int index = blockIndex(indexText, snap);
        String token = query.get("blockToken");
        if (token == null) {
            throw EbsException.validation("INVALID_BLOCK_TOKEN", "blockToken is required");
        }
        String key = snap.blocks.get(index);
        if (key == null || !token.equals(token(snap.id, index, key))) {
            throw EbsException.validation("INVALID_BLOCK_TOKEN", "The block token is not valid for block " + index
                    + " of " + snapshotId);
        }
        byte[] data = new byte[BlockStore.BLOCK_SIZE];
        engine.store.read(key, data);
        return new HttpReply(200, "application/octet-stream", new LinkedHashMap<>(), data)
                .header("x-amz-Data-Length", String.valueOf(BlockStore.BLOCK_SIZE))
                .header("x-amz-Checksum", Base64.getEncoder().encodeToString(BlockStore.shaOf(key)))
                .header("x-amz-Checksum-Algorithm", "SHA256");
    }

    private static int pageSize(Map<String, String> query) {
        int max = query.containsKey("maxResults") ? Integer.parseInt(query.get("maxResults")) : 10000;
        if (max < 100 || max > 10000) {
            throw EbsException.validation("INVALID_PARAMETER_VALUE", "maxResults must be between 100 and 10000");
        }
        return max;
    }

    private static int startIndex(Map<String, String> query) {
        if (query.containsKey("pageToken")) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8);
                return Integer.parseInt(decoded.substring("next:".length()));
            } catch (RuntimeException e) {
                throw EbsException.validation("INVALID_PAGE_TOKEN", "The page token is not valid");
            }
        }
        return query.containsKey("startingBlockIndex") ? Integer.parseInt(query.get("startingBlockIndex")) : 0;
    }

    private static String pageToken(int next) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("next:" + next).getBytes(StandardCharsets.UTF_8));
    }

    private static String token(String snapshotId, int index, String key) {
        String raw = snapshotId + "/" + index + "/" + key.substring(0, Math.min(16, key.length()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode readJson(InputStream body) throws IOException {
        byte[] bytes = body.readAllBytes();
        if (bytes.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw EbsException.validation("INVALID_PARAMETER_VALUE", "The request body is not valid JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static List<String> operations() {
        return new ArrayList<>(List.of("StartSnapshot", "PutSnapshotBlock", "CompleteSnapshot", "ListSnapshotBlocks",
                "GetSnapshotBlock", "ListChangedBlocks"));
    }
}
