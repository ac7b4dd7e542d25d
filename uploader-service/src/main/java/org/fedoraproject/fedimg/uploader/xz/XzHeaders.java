package org.fedoraproject.fedimg.uploader.xz;

import java.util.zip.CRC32;

/**
 * The parts of the .xz container format (tukaani.org xz-file-format 1.1.0) that the block-parallel
 * decoder reads itself: stream header and footer, block header, index, multibyte integers.
 */
final class XzHeaders {

    static final byte[] MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    static final byte[] FOOTER_MAGIC = {'Y', 'Z'};
    static final int LZMA2_FILTER_ID = 0x21;

    private XzHeaders() {
    }

    /** A parsed block header; sizes are -1 when the encoder did not store them. */
    record BlockHeader(int headerSize, long compressedSize, long uncompressedSize, int dictSize) {
    }

    static boolean isMagic(byte[] b) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses the 12-byte stream header and returns its check type. */
    static int streamHeaderCheckType(byte[] h) throws XzFormatException {
        if (!isMagic(h)) {
            throw XzFormatException.notXz("bad magic bytes");
        }
        if (crc32(h, 6, 2) != le32(h, 8)) {
            throw XzFormatException.corrupt("stream header CRC32 mismatch");
        }
        if (h[6] != 0 || (h[7] & 0xF0) != 0) {
            throw XzFormatException.notXz("unsupported stream flags");
        }
        return h[7] & 0x0F;
    }

    /**
     * Parses a complete block header. Returns null when its filter chain is not exactly one LZMA2
     * filter, the only chain the block-parallel path decodes itself.
     */
    static BlockHeader blockHeader(byte[] bh) throws XzFormatException {
        int size = bh.length;
        if (crc32(bh, 0, size - 4) != le32(bh, size - 4)) {
            throw XzFormatException.corrupt("block header CRC32 mismatch");
        }
        int flags = bh[1] & 0xFF;
        if ((flags & 0x3C) != 0) {
            throw XzFormatException.notXz("unsupported block header flags");
        }
        int filters = (flags & 0x03) + 1;
        int[] pos = {2};
        long compressed = (flags & 0x40) != 0 ? varint(bh, pos, size - 4) : -1;
        long uncompressed = (flags & 0x80) != 0 ? varint(bh, pos, size - 4) : -1;
        if (filters != 1) {
            return null;
        }
        long id = varint(bh, pos, size - 4);
        long propsSize = varint(bh, pos, size - 4);
        if (id != LZMA2_FILTER_ID || propsSize != 1 || pos[0] >= size - 4) {
            return null;
        }
        int dictByte = bh[pos[0]++] & 0xFF;
        for (int i = pos[0]; i < size - 4; i++) {
            if (bh[i] != 0) {
                throw XzFormatException.corrupt("non-zero block header padding");
            }
        }
        return new BlockHeader(size, compressed, uncompressed, lzma2DictSize(dictByte));
    }

    static int lzma2DictSize(int props) throws XzFormatException {
        if ((props & 0xC0) != 0 || props > 40) {
            throw XzFormatException.corrupt("invalid LZMA2 dictionary size");
        }
        if (props == 40) {
            return Integer.MAX_VALUE;
        }
        return (2 | (props & 1)) << (props / 2 + 11);
    }

    static long varint(byte[] b, int[] pos, int limit) throws XzFormatException {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            if (pos[0] >= limit) {
                throw XzFormatException.corrupt("multibyte integer runs past its field");
            }
            int x = b[pos[0]++] & 0xFF;
            value |= (long) (x & 0x7F) << (7 * i);
            if ((x & 0x80) == 0) {
                if (x == 0 && i > 0) {
                    throw XzFormatException.corrupt("non-minimal multibyte integer");
                }
                return value;
            }
        }
        throw XzFormatException.corrupt("multibyte integer too long");
    }

    static long crc32(byte[] b, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(b, off, len);
        return crc.getValue();
    }

    static long le32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }
}
