package org.fedoraproject.fedimg.emulator.ebs;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/**
 * The EBS direct APIs (REST-JSON) on the same endpoint: StartSnapshot, PutSnapshotBlock, CompleteSnapshot,
 * ListSnapshotBlocks, GetSnapshotBlock and ListChangedBlocks. Blocks are 512 KiB, checksummed with SHA-256
 * and stored via the {@link BlockStore}; the snapshot is the same object EC2 DescribeSnapshots shows.
 */
public final class EbsApi {

    private final SnapshotWrites writes;
    private final SnapshotReads reads;

    public EbsApi(Engine engine) {
        this.writes = new SnapshotWrites(engine);
        this.reads = new SnapshotReads(engine);
    }

    /** The operation name of a request, for fault injection and call counting; null if no route matches. */
    public static String operation(String method, String path) {
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

    public HttpReply handle(String operation, String region, String path, Map<String, String> query,
            Map<String, String> headers, InputStream body) throws IOException {
        String[] p = segments(path);
        return switch (operation) {
            case "StartSnapshot" -> writes.startSnapshot(region, body);
            case "PutSnapshotBlock" -> writes.putBlock(region, p[1], p[3], headers, body);
            case "CompleteSnapshot" -> writes.complete(region, p[2], headers);
            case "ListSnapshotBlocks" -> reads.listBlocks(region, p[1], query);
            case "GetSnapshotBlock" -> reads.getBlock(region, p[1], p[3], query);
            case "ListChangedBlocks" -> reads.listChanged(region, p[1], query);
            default -> throw new EbsException(404, "ResourceNotFoundException", null, "No route");
        };
    }

    /** A snapshot as EBS direct sees it: NotFound for a while after StartSnapshot when the fault says so. */
    static Model.SnapRec snapshot(Engine engine, String regionName, String snapshotId) {
        RegionState region = engine.region(regionName);
        Model.SnapRec snap = region.snapshots.get(snapshotId);
        if (snap == null) {
            throw EbsException.notFound("The snapshot '" + snapshotId + "' does not exist.");
        }
        Duration window = engine.faults().snapshotNotFoundWindow();
        if (snap.ebsDirect && !window.isZero() && Instant.now().isBefore(snap.created.plus(window))) {
            engine.faults().countInjected("EBS direct snapshot not found");
            throw EbsException.notFound("The snapshot '" + snapshotId + "' does not exist.");
        }
        return snap;
    }

    static int blockIndex(String text, Model.SnapRec snap) {
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

}
