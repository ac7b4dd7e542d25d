package org.fedoraproject.fedimg.uploader.xz;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.zip.CRC32;

/**
 * The uncompressed size of an .xz file, read from its end without decoding it: stream footer → index →
 * the sum of the index records, stream by stream backwards through concatenated streams and their
 * padding. The uploader sizes the snapshot with it before the download starts. The result is only a hint:
 * the decoder still checks every block and index against the data itself.
 */
public final class XzIndex {

    /** Reads {@code length} bytes at {@code offset} of the file (an HTTP Range request, say). */
    public interface Ranges {
        byte[] read(long offset, int length) throws IOException;
    }

    /** Indexes larger than this are not real images (about 1 MiB is an index of 100 000 blocks). */
    static final int MAX_INDEX = 4 << 20;
    private static final int MAX_STREAMS = 64;

    private XzIndex() {
    }

    /** The total uncompressed size, or empty when the file's end is not a valid xz stream end. */
    public static OptionalLong uncompressedSize(long fileSize, Ranges ranges) throws IOException {
        long end = fileSize;
        long total = 0;
        for (int stream = 0; stream < MAX_STREAMS; stream++) {
            end = skipPadding(end, ranges);
            if (end < 12 + 12) {
                return OptionalLong.empty();
            }
            byte[] footer = ranges.read(end - 12, 12);
            if (footer[10] != 'Y' || footer[11] != 'Z' || XzHeaders.crc32(footer, 4, 6) != XzHeaders.le32(footer, 0)) {
                return OptionalLong.empty();
            }
            long indexSize = (XzHeaders.le32(footer, 4) + 1) * 4;
            if (indexSize > MAX_INDEX || indexSize > end - 24) {
                return OptionalLong.empty();
            }
            long indexStart = end - 12 - indexSize;
            long[] sizes = parseIndex(ranges.read(indexStart, (int) indexSize));
            if (sizes == null) {
                return OptionalLong.empty();
            }
            long streamStart = indexStart - sizes[0] - 12;
            if (streamStart < 0 || !XzHeaders.isMagic(ranges.read(streamStart, 12))) {
                return OptionalLong.empty();
            }
            total += sizes[1];
            if (streamStart == 0) {
                return OptionalLong.of(total);
            }
            end = streamStart;
        }
        return OptionalLong.empty();
    }

    /** Stream padding is a multiple of four zero bytes between or after streams. */
    private static long skipPadding(long end, Ranges ranges) throws IOException {
        while (end >= 4) {
            byte[] last = ranges.read(end - 4, 4);
            if (last[0] != 0 || last[1] != 0 || last[2] != 0 || last[3] != 0) {
                break;
            }
            end -= 4;
        }
        return end;
    }

    /** {total padded size of the blocks, total uncompressed size}, or null when the index is not valid. */
    static long[] parseIndex(byte[] index) {
        if (index.length < 8 || index[0] != 0) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(index, 0, index.length - 4);
        if (crc.getValue() != XzHeaders.le32(index, index.length - 4)) {
            return null;
        }
        int[] pos = {1};
        int limit = index.length - 4;
        try {
            long count = XzHeaders.varint(index, pos, limit);
            long blocks = 0;
            long uncompressed = 0;
            for (long i = 0; i < count; i++) {
                long unpadded = XzHeaders.varint(index, pos, limit);
                long size = XzHeaders.varint(index, pos, limit);
                blocks += (unpadded + 3) & ~3L;
                uncompressed += size;
                if (blocks < 0 || uncompressed < 0) {
                    return null;
                }
            }
            return new long[] {blocks, uncompressed};
        } catch (XzFormatException e) {
            return null;
        }
    }
}
