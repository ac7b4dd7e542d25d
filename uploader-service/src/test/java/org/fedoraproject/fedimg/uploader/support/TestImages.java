package org.fedoraproject.fedimg.uploader.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import org.tukaani.xz.FilterOptions;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.X86Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Small raw disk images made in the test: a partition-table-like header, runs of "file" data (text-like
 * and random), and long zero runs as free space, so zero-block skipping and real compression both happen.
 */
public final class TestImages {

    public static final int BLOCK = 512 * 1024;

    private TestImages() {
    }

    /** {@code sizeBytes} of image, deterministic for a seed; about a third of its 512 KiB blocks are all zero. */
    public static byte[] raw(int sizeBytes, long seed) {
        byte[] img = new byte[sizeBytes];
        Random r = new Random(seed);
        String words = "fedora cloud base image kernel initramfs grub ext4 xfs btrfs systemd dnf rpm cloud-init ";
        int off = 0;
        int block = 0;
        while (off < sizeBytes) {
            int len = Math.min(BLOCK, sizeBytes - off);
            switch (block % 3) {
                case 0 -> {
                    // "files": compressible text with some structure
                    for (int i = 0; i < len; i++) {
                        img[off + i] = (byte) words.charAt((i * 7 + block + r.nextInt(3)) % words.length());
                    }
                }
                case 1 -> {
                    // mostly random (already compressed files), with a zero tail inside the block
                    byte[] rnd = new byte[len / 2];
                    r.nextBytes(rnd);
                    System.arraycopy(rnd, 0, img, off, rnd.length);
                }
                default -> {
                    // free space: zeros, except now and then a single stray byte
                    if (block % 6 == 5) {
                        img[off + len / 3] = 1;
                    }
                }
            }
            off += len;
            block++;
        }
        img[0] = (byte) 0xEB; // something at LBA 0, like a boot sector
        img[510] = 0x55;
        img[511] = (byte) 0xAA;
        return img;
    }

    public static byte[] xzSingleBlock(byte[] raw) {
        return xz(raw, 0, false);
    }

    /** Several xz blocks of {@code blockSize} uncompressed bytes (xz-java does not store sizes in headers). */
    public static byte[] xzMultiBlock(byte[] raw, int blockSize) {
        return xz(raw, blockSize, false);
    }

    /** A BCJ x86 + LZMA2 filter chain, which the block-parallel path hands to the sequential decoder. */
    public static byte[] xzWithBcj(byte[] raw) {
        return xz(raw, 0, true);
    }

    /** Blocks of {@code blockSize} (0: one block) with the given integrity check ({@code XZ.CHECK_*}). */
    public static byte[] xz(byte[] raw, int blockSize, int checkType) {
        return xz(raw, blockSize, false, checkType);
    }

    private static byte[] xz(byte[] raw, int blockSize, boolean bcj) {
        return xz(raw, blockSize, bcj, XZ.CHECK_CRC64);
    }

    /** Compressing is the slow part of many tests; the same input is compressed once per JVM. */
    private record Compressed(byte[] raw, int blockSize, boolean bcj, int checkType) {
    }

    private static final Map<Compressed, byte[]> COMPRESSED = new ConcurrentHashMap<>();

    private static byte[] xz(byte[] raw, int blockSize, boolean bcj, int checkType) {
        return COMPRESSED.computeIfAbsent(new Compressed(raw, blockSize, bcj, checkType),
                k -> compress(raw, blockSize, bcj, checkType)).clone();
    }

    private static byte[] compress(byte[] raw, int blockSize, boolean bcj, int checkType) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LZMA2Options lzma2 = new LZMA2Options(1);
            FilterOptions[] filters = bcj ? new FilterOptions[] {new X86Options(), lzma2} : new FilterOptions[] {lzma2};
            try (XZOutputStream xz = new XZOutputStream(out, filters, checkType)) {
                if (blockSize <= 0) {
                    xz.write(raw);
                } else {
                    for (int off = 0; off < raw.length; off += blockSize) {
                        xz.write(raw, off, Math.min(blockSize, raw.length - off));
                        xz.endBlock();
                    }
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code xz -T2 --block-size} output, which stores sizes in the block headers; null when xz is missing. */
    public static byte[] xzCli(byte[] raw, int blockSize, Path dir) {
        try {
            Path in = Files.write(dir.resolve("cli-" + System.nanoTime() + ".raw"), raw);
            Process p = new ProcessBuilder("xz", "-1", "-T2", "--block-size=" + blockSize, "-k", "-f", in.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (p.waitFor() != 0) {
                return null;
            }
            return Files.readAllBytes(Path.of(in + ".xz"));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the image padded with zeros to {@code gib} GiB: what a snapshot of that size holds. */
    public static String paddedSha256(byte[] raw, long totalBytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(raw);
            byte[] zeros = new byte[1 << 20];
            long left = totalBytes - raw.length;
            while (left > 0) {
                int n = (int) Math.min(zeros.length, left);
                sha.update(zeros, 0, n);
                left -= n;
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
