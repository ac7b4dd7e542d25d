package org.fedoraproject.fedimg.emulator.ebs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading a completed snapshot through EBS direct: ListSnapshotBlocks and ListChangedBlocks (paginated, with
 * block tokens) and GetSnapshotBlock (the block and its SHA-256).
 */
final class SnapshotReads {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Engine engine;

    SnapshotReads(Engine engine) {
        this.engine = engine;
    }

    private Model.SnapRec completedSnapshot(String regionName, String snapshotId) {
        synchronized (engine) {
            Model.SnapRec snap = EbsApi.snapshot(engine, regionName, snapshotId);
            if (!"completed".equals(engine.life().snapshotState(snap))) {
                throw EbsException.validation("INVALID_SNAPSHOT_ID", "Snapshot " + snapshotId + " is not completed");
            }
            return snap;
        }
    }

    HttpReply listBlocks(String regionName, String snapshotId, Map<String, String> query) {
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

    HttpReply listChanged(String regionName, String secondId, Map<String, String> query) {
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

    HttpReply getBlock(String regionName, String snapshotId, String indexText, Map<String, String> query) {
        Model.SnapRec snap = completedSnapshot(regionName, snapshotId);
        int index = EbsApi.blockIndex(indexText, snap);
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
        engine.store().read(key, data);
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

}
