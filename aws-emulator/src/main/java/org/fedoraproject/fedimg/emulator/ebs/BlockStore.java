package org.fedoraproject.fedimg.emulator.ebs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Snapshot content, kept off the heap: each non-zero 512 KiB block is one file named by its SHA-256, so
 * identical blocks (and copies of snapshots) share storage and an all-zero block takes no space at all.
 * Volumes get sparse backing files that user-data scripts write to.
 */
public final class BlockStore {

    public static final int BLOCK_SIZE = 512 * 1024;
    public static final long BLOCKS_PER_GIB = (1L << 30) / BLOCK_SIZE;
    /** Key of an all-zero block: never stored. */
    public static final String ZERO = "0";
    private static final byte[] ZERO_SHA = sha256(new byte[BLOCK_SIZE], BLOCK_SIZE);

    private final Path root;
    private final Path blocks;
    private final Path volumes;
    /** Keys whose block file exists (saves a stat per block when the same content is written again). */
    private final java.util.Set<String> stored = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public BlockStore(Path root) {
        this.root = root;
        this.blocks = root.resolve("blocks");
        this.volumes = root.resolve("volumes");
        try {
            Files.createDirectories(blocks);
            Files.createDirectories(volumes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** Stores one block whose SHA-256 is already known; returns its key. */
    public String put(byte[] data, byte[] sha) {
        if (isZero(data, BLOCK_SIZE)) {
            return ZERO;
        }
        String key = HexFormat.of().formatHex(sha);
        if (stored.contains(key)) {
            return key;
        }
        Path file = blockFile(key);
        if (Files.exists(file)) {
            stored.add(key);
            return key;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), key, ".tmp");
            Files.write(tmp, data);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stored.add(key);
        return key;
    }

    /** Reads a block into {@code into} (length BLOCK_SIZE). */
    public void read(String key, byte[] into) {
        if (ZERO.equals(key)) {
            java.util.Arrays.fill(into, 0, BLOCK_SIZE, (byte) 0);
            return;
        }
        try (FileChannel ch = FileChannel.open(blockFile(key), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.wrap(into, 0, BLOCK_SIZE);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 of a stored block. */
    public static byte[] shaOf(String key) {
        return ZERO.equals(key) ? ZERO_SHA.clone() : HexFormat.of().parseHex(key);
    }

    public static byte[] zeroSha() {
        return ZERO_SHA.clone();
    }

    public Path volumeFile(String volumeId) {
        return volumes.resolve(volumeId + ".img");
    }

    /** Deletes everything stored (used by reset and close). */
    public void clear() {
        stored.clear();
        deleteTree(blocks, false);
        deleteTree(volumes, false);
    }

    public void delete() {
        deleteTree(root, true);
    }

    private Path blockFile(String key) {
        return blocks.resolve(key.substring(0, 2)).resolve(key);
    }

    static boolean isZero(byte[] data, int len) {
        // Arrays.mismatch is vectorised: this runs on every block of every snapshot
        for (int off = 0; off < len; off += ZEROS.length) {
            int n = Math.min(ZEROS.length, len - off);
            if (java.util.Arrays.mismatch(data, off, off + n, ZEROS, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    public static byte[] sha256(byte[] data, int len) {
        MessageDigest sha = newSha256();
        sha.update(data, 0, len);
        return sha.digest();
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a directory tree, best effort (a script may still hold a file open); also for instance sandboxes. */
    public static void deleteTree(Path dir, boolean includingRoot) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder())
                    .filter(p -> includingRoot || !p.equals(dir))
                    .forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException e) {
                            // best effort: a script may still hold a file open
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
