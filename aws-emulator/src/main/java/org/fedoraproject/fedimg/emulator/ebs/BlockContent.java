package org.fedoraproject.fedimg.emulator.ebs;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/**
 * Block content between snapshots, images and volumes, in the {@link BlockStore}: a volume's sparse backing file
 * filled from its snapshot, a snapshot captured from a volume's file, an instance-store image reassembled from its
 * bundle, an instance's root disk (either kind), full-content hashes. Public for the engine and the EC2
 * handlers; it never takes the engine's lock for the bytes themselves.
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
        Model.SnapRec snap = vol.snapshotId == null ? null : findSnapshotAnywhere(vol.snapshotId);
        Path file = store.volumeFile(vol.id);
        fill(file, (long) vol.sizeGiB << 30, snap == null ? Map.of() : snap.blocks);
        vol.file = file;
        vol.materialized = true;
        return file;
    }

    /** A sparse file of {@code size} bytes holding {@code blocks} (index → block key). */
    private void fill(Path file, long size, Map<Integer, String> blocks) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            byte[] buf = new byte[BlockStore.BLOCK_SIZE];
            for (Map.Entry<Integer, String> e : blocks.entrySet()) {
                long offset = (long) e.getKey() * BlockStore.BLOCK_SIZE;
                if (BlockStore.ZERO.equals(e.getValue()) || offset >= size) {
                    continue;
                }
                store.read(e.getValue(), buf);
                raf.seek(offset);
                raf.write(buf, 0, (int) Math.min(BlockStore.BLOCK_SIZE, size - offset));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An instance's root disk as a file, the one interface a backend boots from: an EBS root is its root
     * volume's backing file; an instance-store root is its AMI's image, written for this instance (it goes
     * with the instance). Called under the engine's lock.
     */
    public Path rootDisk(Model.InstRec inst) {
        if (inst.instanceStoreRoot != null) {
            Path file = store.volumeFile(inst.id + "-root");
            if (!Files.exists(file)) {
                fill(file, inst.instanceStoreRoot.sizeBytes, inst.instanceStoreRoot.blocks);
            }
            return file;
        }
        String volumeId = inst.devices.get(inst.rootDeviceName);
        Model.VolRec vol = volumeId == null ? null : engine.regions().get(inst.region).volumes.get(volumeId);
        if (vol == null) {
            throw new IllegalStateException("instance " + inst.id + " has no root volume at " + inst.rootDeviceName);
        }
        return materialize(vol);
    }

    /**
     * A snapshot's content as a read-only sparse raw file, the base a VM's copy-on-write root overlay is backed by:
     * written once per snapshot content (the name carries a digest of its block map, so a snapshot changed through
     * the inspector gets a new file) and never written again. Called under the engine's lock.
     */
    public Path snapshotImage(Model.SnapRec snap) {
        String digest = Integer.toHexString(snap.blocks.hashCode());
        Path file = store.volumeFile(snap.id + "-" + digest + "-base");
        if (!Files.exists(file)) {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            fill(tmp, (long) snap.sizeGiB << 30, snap.blocks);
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** The snapshot a root volume was made from (any region: a copy keeps its blocks). */
    public Model.SnapRec snapshotOf(Model.VolRec vol) {
        return vol.snapshotId == null ? null : findSnapshotAnywhere(vol.snapshotId);
    }

    /** An instance is gone: its instance-store root disk with it. */
    public void releaseRootDisk(Model.InstRec inst) {
        if (inst.instanceStoreRoot != null) {
            try {
                Files.deleteIfExists(store.volumeFile(inst.id + "-root"));
            } catch (IOException e) {
                // a backend may still hold it; the work dir goes at close
            }
        }
    }

    /**
     * Reassembles an image in the background: {@code image} (a bundle reader's stream, which checks the bundle as
     * it goes) is cut into blocks. The content is then ready, or failed with the message of what refused it;
     * {@code finished} runs either way (it lets go of the bundle's objects).
     */
    public void reassemble(Model.ImageContent content, Callable<InputStream> image, Runnable finished) {
        workers.submit(() -> {
            try (InputStream in = image.call()) {
                byte[] buf = new byte[BlockStore.BLOCK_SIZE];
                long total = 0;
                for (int index = 0;; index++) {
                    int n = in.readNBytes(buf, 0, buf.length);
                    if (n == 0) {
                        break;
                    }
                    total += n;
                    Arrays.fill(buf, n, buf.length, (byte) 0);
                    if (!BlockStore.isZero(buf, buf.length)) {
                        content.blocks.put(index, store.put(buf, BlockStore.sha256(buf, buf.length)));
                    }
                }
                if (total != content.sizeBytes) {
                    throw new IOException("the image holds " + total + " bytes, not " + content.sizeBytes);
                }
                content.readyAt = Instant.now();
            } catch (Exception e) {
                content.failure = String.valueOf(e.getMessage());
            } finally {
                finished.run();
            }
        });
    }

    /** SHA-256 (hex) of an image's exact bytes, streamed block by block. */
    public String contentSha256(Model.ImageContent content) {
        MessageDigest sha = BlockStore.newSha256();
        byte[] buf = new byte[BlockStore.BLOCK_SIZE];
        for (long offset = 0, index = 0; offset < content.sizeBytes; offset += BlockStore.BLOCK_SIZE, index++) {
            String key = content.blocks.get((int) index);
            store.read(key == null ? BlockStore.ZERO : key, buf);
            sha.update(buf, 0, (int) Math.min(BlockStore.BLOCK_SIZE, content.sizeBytes - offset));
        }
        return HexFormat.of().formatHex(sha.digest());
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
