package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the one regular file a bundle's tar archive holds. Understands what the tools that make bundles
 * write: ustar/GNU headers with octal or base-256 numbers, GNU long names, PAX {@code path}/{@code size}
 * records (Python's tarfile, euca2ools), and GNU's old sparse entries ({@code tar -S}, the AMI tools), whose
 * holes it gives back as zeros. PAX sparse formats are refused with a clear message.
 */
final class TarImageReader {

    static final int MAX_META_BYTES = 1024 * 1024;
    static final int MAX_SPARSE_ENTRIES = 1_000_000;
    /** Zeros allowed after the end-of-archive blocks: a record of blocking factor 2048 at most. */
    static final long MAX_TRAILER = 1024L * 1024;

    private final InputStream in;
    private final byte[] block = new byte[TarHeaders.BLOCK];
    private String name;
    private long realSize;
    private long storedSize;
    /** Sparse map as {offset, length} pairs; null for a plain file. */
    private long[] map;
    private int mapEntries;
    private int segment;
    private long position;

    TarImageReader(InputStream in) {
        this.in = in;
    }

    /** Reads headers up to the file's; returns its real (expanded) size. */
    long open() throws IOException {
        String longName = null;
        Map<String, String> pax = Map.of();
        while (true) {
            if (!readBlock() || TarHeaders.isZero(block)) {
                throw new CorruptBundleException("the tar archive holds no file");
            }
            if (!TarHeaders.checksumMatches(block)) {
                throw new CorruptBundleException("a tar header's checksum does not match");
            }
            byte type = block[TarHeaders.TYPEFLAG];
            long size = number(TarHeaders.SIZE, 12);
            switch (type) {
                case TarHeaders.PAX -> pax = parsePax(readMeta(size));
                case TarHeaders.PAX_GLOBAL, TarHeaders.GNU_LONG_LINK -> readMeta(size);
                case TarHeaders.GNU_LONG_NAME -> longName = cString(readMeta(size));
                case TarHeaders.REGULAR, TarHeaders.REGULAR_OLD, TarHeaders.GNU_SPARSE -> {
                    name = pax.getOrDefault("path", longName != null ? longName
                            : TarHeaders.string(block, TarHeaders.NAME, TarHeaders.NAME_LEN));
                    storedSize = pax.containsKey("size") ? paxNumber(pax.get("size")) : size;
                    realSize = storedSize;
                    if (type == TarHeaders.GNU_SPARSE) {
                        realSize = number(TarHeaders.REAL_SIZE, 12);
                        readSparseMap();
                    }
                    return realSize;
                }
                default -> throw new CorruptBundleException("the tar archive holds a '" + (char) type
                        + "' entry where the image file should be");
            }
        }
    }

    String name() {
        return name;
    }

    /** The file's bytes, holes as zeros; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (position == realSize) {
            return -1;
        }
        long want = Math.min(len, realSize - position);
        if (map == null) {
            return data(b, off, (int) want);
        }
        while (segment < mapEntries && position >= map[2 * segment] + map[2 * segment + 1]) {
            segment++;
        }
        if (segment == mapEntries || position < map[2 * segment]) {
            long holeEnd = segment == mapEntries ? realSize : map[2 * segment];
            int n = (int) Math.min(want, holeEnd - position);
            Arrays.fill(b, off, off + n, (byte) 0);
            position += n;
            return n;
        }
        return data(b, off, (int) Math.min(want, map[2 * segment] + map[2 * segment + 1] - position));
    }

    /**
     * After the file's end: skips its padding and insists that only the end-of-archive zeros follow — a
     * second entry would be data the manifest's size does not cover.
     */
    void readEnd() throws IOException {
        skip(TarHeaders.padding(storedSize));
        long zeros = 0;
        while (readBlock()) {
            if (!TarHeaders.isZero(block)) {
                throw new CorruptBundleException("the bundle's tar archive holds more than the image file");
            }
            zeros += TarHeaders.BLOCK;
            if (zeros > MAX_TRAILER) {
                throw new CorruptBundleException("more than " + MAX_TRAILER + " bytes follow the tar archive's end");
            }
        }
    }

    private int data(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            throw new CorruptBundleException("the tar archive ends inside the image file");
        }
        position += n;
        return n;
    }

    private void readSparseMap() throws IOException {
        map = new long[64];
        boolean extended = addEntries(TarHeaders.SPARSE, 4) && block[TarHeaders.IS_EXTENDED] != 0;
        while (extended) {
            if (!readBlock()) {
                throw new CorruptBundleException("the tar archive ends inside a sparse map");
            }
            extended = addEntries(0, TarHeaders.EXT_ENTRIES) && block[TarHeaders.EXT_IS_EXTENDED] != 0;
        }
        long end = 0;
        long stored = 0;
        for (int i = 0; i < mapEntries; i++) {
            long offset = map[2 * i];
            long length = map[2 * i + 1];
            if (offset < end || length > realSize - offset) {
                throw new CorruptBundleException("the sparse map's chunks overlap or pass the file's end");
            }
            end = offset + length;
            stored += length;
        }
        if (stored != storedSize) {
            throw new CorruptBundleException("the sparse map covers " + stored + " bytes but " + storedSize
                    + " are stored");
        }
    }

    /** Adds the map entries of the current block; false when an empty entry ended the map early. */
    private boolean addEntries(int from, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            int at = from + 24 * i;
            if (block[at + 12] == 0) {
                return false; // GNU tar stops at an entry without a size
            }
            if (mapEntries == MAX_SPARSE_ENTRIES) {
                throw new CorruptBundleException("the sparse map has more than " + MAX_SPARSE_ENTRIES + " chunks");
            }
            if (2 * mapEntries + 2 > map.length) {
                map = Arrays.copyOf(map, 2 * map.length);
            }
            map[2 * mapEntries] = number(at, 12);
            map[2 * mapEntries + 1] = number(at + 12, 12);
            mapEntries++;
        }
        return true;
    }

    private Map<String, String> parsePax(byte[] data) throws CorruptBundleException {
        Map<String, String> records = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new CorruptBundleException("a PAX header record has no valid length", e);
            }
            int end = i + length;
            if (length <= 0 || end > data.length || space >= end || data[end - 1] != '\n') {
                throw new CorruptBundleException("a PAX header record is malformed");
            }
            String record = new String(data, space + 1, end - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new CorruptBundleException("a PAX header record has no key");
            }
            String key = record.substring(0, eq);
            if (key.startsWith("GNU.sparse.")) {
                throw new CorruptBundleException("the image is stored in a PAX sparse format; only GNU tar's old "
                        + "sparse format ('S' entries) is read");
            }
            records.put(key, record.substring(eq + 1));
            i = end;
        }
        return records;
    }

    private static long paxNumber(String s) throws CorruptBundleException {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CorruptBundleException("a PAX size is not a number: " + s, e);
        }
    }

    private long number(int off, int len) throws CorruptBundleException {
        try {
            return TarHeaders.parseNumber(block, off, len);
        } catch (IllegalArgumentException e) {
            throw new CorruptBundleException("a tar header holds an invalid number: " + e.getMessage(), e);
        }
    }

    private byte[] readMeta(long size) throws IOException {
        if (size > MAX_META_BYTES) {
            throw new CorruptBundleException("a tar metadata entry is larger than " + MAX_META_BYTES + " bytes");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new CorruptBundleException("the tar archive ends inside a header entry");
        }
        skip(TarHeaders.padding(size));
        return data;
    }

    private static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private void skip(int n) throws IOException {
        if (in.readNBytes(n).length != n) {
            throw new CorruptBundleException("the tar archive ends before its padding");
        }
    }

    /** False at a clean end of stream; a partial block is corrupt. */
    private boolean readBlock() throws IOException {
        int n = in.readNBytes(block, 0, TarHeaders.BLOCK);
        if (n == 0) {
            return false;
        }
        if (n != TarHeaders.BLOCK) {
            throw new CorruptBundleException("the tar archive ends inside a block");
        }
        return true;
    }
}
