package org.fedoraproject.fedimg.emulator.s3;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The integrity checks S3 offers on uploads: the five {@link Algorithm}s of {@code x-amz-checksum-*} (sent as a
 * header or as an {@code aws-chunked} trailer) and {@code Content-MD5}. {@link Digests} computes, in one pass
 * over a body, the MD5 (the ETag), the CRC64NVME S3 stores for every object without a checksum of its own, and
 * whatever algorithm the request named.
 */
final class Checksums {

    private Checksums() {
    }

    enum Algorithm {
        CRC32(4), CRC32C(4), CRC64NVME(8), SHA1(20), SHA256(32);

        final int bytes;

        Algorithm(int bytes) {
            this.bytes = bytes;
        }

        /** {@code x-amz-checksum-crc32}, ... */
        String header() {
            return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
        }

        /** {@code ChecksumCRC32}, ...: the element name in XML documents. */
        String element() {
            return switch (this) {
                case CRC32 -> "ChecksumCRC32";
                case CRC32C -> "ChecksumCRC32C";
                case CRC64NVME -> "ChecksumCRC64NVME";
                case SHA1 -> "ChecksumSHA1";
                case SHA256 -> "ChecksumSHA256";
            };
        }

        boolean isCrc() {
            return this == CRC32 || this == CRC32C || this == CRC64NVME;
        }

        /** {@code x-amz-sdk-checksum-algorithm} / {@code x-amz-checksum-algorithm} values; null for null. */
        static Algorithm parse(String name) {
            if (name == null || name.isEmpty()) {
                return null;
            }
            for (Algorithm a : values()) {
                if (a.name().equalsIgnoreCase(name)) {
                    return a;
                }
            }
            throw S3Exception.invalidRequest("Checksum algorithm provided is unsupported. Please try again with any of "
                    + "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        }

        Hash newHash() {
            return switch (this) {
                case CRC32 -> new CrcHash(new CRC32(), 4);
                case CRC32C -> new CrcHash(new CRC32C(), 4);
                case CRC64NVME -> new Crc64Nvme();
                case SHA1 -> new DigestHash("SHA-1");
                case SHA256 -> new DigestHash("SHA-256");
            };
        }
    }

    /** A running checksum. */
    interface Hash {
        void update(byte[] b, int off, int len);

        byte[] finish();
    }

    /**
     * The checksums of one body: the MD5 always (the ETag), the CRC64NVME always (S3's default), and the algorithms
     * the request asked for.
     */
    static final class Digests {
        private final MessageDigest md5 = digest("MD5");
        private final Map<Algorithm, Hash> hashes = new EnumMap<>(Algorithm.class);
        private long length;

        Digests(Algorithm... wanted) {
            hashes.put(Algorithm.CRC64NVME, Algorithm.CRC64NVME.newHash());
            for (Algorithm a : wanted) {
                if (a != null) {
                    hashes.putIfAbsent(a, a.newHash());
                }
            }
        }

        void update(byte[] b, int off, int len) {
            md5.update(b, off, len);
            for (Hash h : hashes.values()) {
                h.update(b, off, len);
            }
            length += len;
        }

        long length() {
            return length;
        }

        byte[] md5() {
            return md5.digest();
        }

        /** Base64 of each algorithm's value; call once, after the last update. */
        Map<Algorithm, String> finish() {
            Map<Algorithm, String> out = new EnumMap<>(Algorithm.class);
            hashes.forEach((a, h) -> out.put(a, Base64.getEncoder().encodeToString(h.finish())));
            return out;
        }
    }

    /** Checks the form of an {@code x-amz-checksum-*} value: base64 of the algorithm's width. */
    static void checkForm(Algorithm a, String value) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            raw = null;
        }
        if (raw == null || raw.length != a.bytes) {
            throw S3Exception.invalidRequest("Value for " + a.header() + " header is invalid.");
        }
    }

    /**
     * The multipart checksum S3 calls COMPOSITE: the algorithm over the concatenated raw part checksums, base64,
     * with {@code -N} for the number of parts.
     */
    static String composite(Algorithm a, Iterable<String> partChecksums, int parts) {
        Hash h = a.newHash();
        for (String p : partChecksums) {
            byte[] raw = Base64.getDecoder().decode(p);
            h.update(raw, 0, raw.length);
        }
        return Base64.getEncoder().encodeToString(h.finish()) + "-" + parts;
    }

    static MessageDigest digest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record CrcHash(Checksum crc, int bytes) implements Hash {
        @Override
        public void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        public byte[] finish() {
            return ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
        }
    }

    private record DigestHash(MessageDigest md) implements Hash {
        DigestHash(String name) {
            this(digest(name));
        }

        @Override
        public void update(byte[] b, int off, int len) {
            md.update(b, off, len);
        }

        @Override
        public byte[] finish() {
            return md.digest();
        }
    }

    /**
     * CRC-64/NVME (poly 0xad93d23594c93659, reflected, init and xorout all ones; check value of "123456789" is
     * 0xae8b14860a799888): S3's default checksum, which the JDK does not have and the SDK computes only with CRT.
     */
    static final class Crc64Nvme implements Hash {
        private static final long POLY_REFLECTED = Long.reverse(0xad93d23594c93659L);
        private static final long[] TABLE = new long[256];

        static {
            for (int i = 0; i < 256; i++) {
                long c = i;
                for (int k = 0; k < 8; k++) {
                    c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
                }
                TABLE[i] = c;
            }
        }

        private long crc = -1L;

        @Override
        public void update(byte[] b, int off, int len) {
            long c = crc;
            for (int i = off; i < off + len; i++) {
                c = TABLE[(int) ((c ^ b[i]) & 0xff)] ^ (c >>> 8);
            }
            crc = c;
        }

        @Override
        public byte[] finish() {
            return ByteBuffer.allocate(8).putLong(~crc).array();
        }
    }
}
