package org.fedoraproject.fedimg.emulator.ebs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/**
 * Block content between snapshots and volumes, in the {@link BlockStore}: a volume's sparse backing file
 * filled from its snapshot, a snapshot captured from a volume's file, a snapshot's full-content hash. Public
 * for the engine and the EC2 handlers; it never takes the engine's lock for the bytes themselves.
 */
public final class BlockContent {

    private final Engine engine;
    private final BlockStore store;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "aws-emulator-snapshot");
        t.setDaemon(true);
        return t;
    });

    public BlockContent(Engine engine, BlockStore store) {
        this.engine = engine;
        this.store = store;
    }

    /** Gives a volume its sparse backing file, filled from its snapshot, the first time a script may see it. */
    public Path materialize(Model.VolRec vol) {
        if (vol.materialized) {
            return vol.file;
        }
        Path file = store.volumeFile(vol.id);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) vol.sizeGiB << 30);
            if (vol.snapshotId != null) {
                Model.SnapRec snap = findSnapshotAnywhere(vol.snapshotId);
                if (snap != null) {
                    byte[] buf = new byte[BlockStore.BLOCK_SIZE];
                    for (Map.Entry<Integer, String> e : snap.blocks.entrySet()) {
                        if (BlockStore.ZERO.equals(e.getValue())) {
                            continue;
                        }
                        store.read(e.getValue(), buf);
                        raf.seek((long) e.getKey() * BlockStore.BLOCK_SIZE);
                        raf.write(buf);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        vol.file = file;
        vol.materialized = true;
        return file;
    }

    private Model.SnapRec findSnapshotAnywhere(String id) {
        for (RegionState r : engine.regions().values()) {
            Model.SnapRec s = r.snapshots.get(id);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** CreateSnapshot: captures the volume's blocks in the background; the snapshot is pending until then. */
    public void captureVolume(Model.SnapRec snap, Model.VolRec vol) {
        if (!vol.materialized) {
            Model.SnapRec source = vol.snapshotId == null ? null : findSnapshotAnywhere(vol.snapshotId);
            if (source != null) {
                source.blocks.forEach((k, v) -> {
                    if ((long) k < (long) vol.sizeGiB * BlockStore.BLOCKS_PER_GIB && !BlockStore.ZERO.equals(v)) {
                        snap.blocks.put(k, v);
                    }
                });
            }
            snap.dataReadyAt = Instant.now();
            return;
        }
        Path file = vol.file;
        long size = (long) vol.sizeGiB << 30;
        workers.submit(() -> {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                byte[] buf = new byte[BlockStore.BLOCK_SIZE];
                long length = Math.min(raf.length(), size);
                for (long offset = 0, index = 0; offset < length; offset += BlockStore.BLOCK_SIZE, index++) {
                    Arrays.fill(buf, (byte) 0);
                    raf.seek(offset);
                    int n = 0;
                    while (n < BlockStore.BLOCK_SIZE) {
                        int r = raf.read(buf, n, BlockStore.BLOCK_SIZE - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    if (!BlockStore.isZero(buf, BlockStore.BLOCK_SIZE)) {
                        snap.blocks.put((int) index, store.put(buf, BlockStore.sha256(buf, BlockStore.BLOCK_SIZE)));
                    }
                }
                snap.dataReadyAt = Instant.now();
            } catch (IOException | RuntimeException e) {
                snap.error = true;
            }
        });
    }

    /** SHA-256 over the snapshot's full logical content (zeros included), streamed block by block. */
    public String snapshotSha256(Model.SnapRec snap) {
        MessageDigest sha = BlockStore.newSha256();
        byte[] buf = new byte[BlockStore.BLOCK_SIZE];
        byte[] zeros = new byte[BlockStore.BLOCK_SIZE];
        long blocks = (long) snap.sizeGiB * BlockStore.BLOCKS_PER_GIB;
        for (int i = 0; i < blocks; i++) {
            String key = snap.blocks.get(i);
            if (key == null || BlockStore.ZERO.equals(key)) {
                sha.update(zeros);
            } else {
                store.read(key, buf);
                sha.update(buf);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Removes a volume from its region, with its backing file if it had one. */
    public void deleteVolume(RegionState region, Model.VolRec vol) {
        region.volumes.remove(vol.id);
        if (vol.materialized) {
            try {
                Files.deleteIfExists(vol.file);
            } catch (IOException e) {
                // a script may still hold it; the work dir goes at close
            }
        }
    }

    public void close() {
        workers.shutdownNow();
    }
}
