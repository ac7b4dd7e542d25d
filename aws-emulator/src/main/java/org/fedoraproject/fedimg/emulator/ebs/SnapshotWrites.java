package org.fedoraproject.fedimg.emulator.ebs;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.ec2.TagRules;
import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writing a snapshot through EBS direct: StartSnapshot (idempotent by ClientToken, optionally on a parent),
 * PutSnapshotBlock (512 KiB blocks, SHA-256 checked, into the {@link BlockStore}) and CompleteSnapshot (the
 * block count and the LINEAR aggregate checksum checked).
 */
final class SnapshotWrites {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** PutSnapshotBlock bodies, read into a reused array instead of a new 512 KiB one per request. */
    private static final ThreadLocal<byte[]> BODY = ThreadLocal.withInitial(() -> new byte[BlockStore.BLOCK_SIZE]);
    private final Engine engine;
    private final LifeCycles life;

    SnapshotWrites(Engine engine) {
        this.engine = engine;
        this.life = engine.life();
    }

    // ---- StartSnapshot ----

    HttpReply startSnapshot(String regionName, InputStream body) throws IOException {
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
                if (!"completed".equals(life.snapshotState(parent))) {
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
                    ? parent.kmsKeyId : engine.defaultEbsKey(region.name)) : null;
            snap.ebsDirect = true;
            snap.timeoutMinutes = timeout;
            snap.parentSnapshotId = parentId;
            snap.completeAfter = engine.delays().snapshotCompletion();
            if (parent != null) {
                snap.blocks.putAll(parent.blocks);
            }
            for (JsonNode tag : req.path("Tags")) {
                TagRules.putTag(snap.tags, text(tag, "Key"), text(tag, "Value"));
            }
            life.markNew(snap);
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
        return life.snapshotState(snap);
    }

    // ---- PutSnapshotBlock ----

    HttpReply putBlock(String regionName, String snapshotId, String indexText, Map<String, String> headers,
            InputStream body) throws IOException {
        Model.SnapRec snap = writableSnapshot(regionName, snapshotId);
        int index = EbsApi.blockIndex(indexText, snap);
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
        String key = engine.store().put(data, sha);
        snap.writtenBlocks.put(index, key);
        snap.blocks.put(index, key);
        return new HttpReply(201, "application/json", new LinkedHashMap<>(), new byte[0])
                .header("x-amz-Checksum", checksum.trim())
                .header("x-amz-Checksum-Algorithm", "SHA256");
    }

    private Model.SnapRec writableSnapshot(String regionName, String snapshotId) {
        synchronized (engine) {
            Model.SnapRec snap = EbsApi.snapshot(engine, regionName, snapshotId);
            if (!snap.ebsDirect || snap.dataReadyAt != null) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "The snapshot " + snapshotId
                        + " is not in a state that accepts blocks (" + life.snapshotState(snap) + ")");
            }
            if (snap.error || "error".equals(life.snapshotState(snap))) {
                throw EbsException.validation("WRITE_REQUEST_TIMEOUT", "The snapshot " + snapshotId
                        + " timed out before it was completed");
            }
            return snap;
        }
    }

    // ---- CompleteSnapshot ----

    HttpReply complete(String regionName, String snapshotId, Map<String, String> headers) {
        synchronized (engine) {
            Model.SnapRec snap = EbsApi.snapshot(engine, regionName, snapshotId);
            if (!snap.ebsDirect) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "Snapshot " + snapshotId + " was not started by StartSnapshot");
            }
            if (snap.dataReadyAt != null) {
                // Already completed: AWS answers with the current status.
                return HttpReply.json(202, "{\"Status\":\"" + ebsStatus(snap) + "\"}");
            }
            if ("error".equals(life.snapshotState(snap))) {
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

}
