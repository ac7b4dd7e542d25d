package org.fedoraproject.fedimg.emulator.s3;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Buckets, objects and multipart uploads, guarded by the {@link S3Store}'s lock. Object bytes are in
 * {@link Blob}s; an object is immutable once stored (an overwrite replaces it), so readers need no lock.
 */
final class S3Model {

    private S3Model() {
    }

    /** S3 lists keys in the binary order of their UTF-8 bytes: code point order, not Java's UTF-16 order. */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    static final class Bucket {
        final String name;
        final String region;
        final Instant created;
        /** BucketOwnerEnforced (ACLs disabled: AWS's default for new buckets since April 2023), BucketOwnerPreferred, ObjectWriter. */
        String ownership = "BucketOwnerEnforced";
        /** The four settings of the bucket's public access block, all on by default (as AWS since April 2023); null when deleted. */
        boolean[] publicAccessBlock = {true, true, true, true};
        Acl acl;
        final Map<String, String> tags = new LinkedHashMap<>();
        final TreeMap<String, StoredObject> objects = new TreeMap<>(UTF8_ORDER);
        final Map<String, Upload> uploads = new LinkedHashMap<>();

        Bucket(String name, String region, Instant created, Acl acl) {
            this.name = name;
            this.region = region;
            this.created = created;
            this.acl = acl;
        }

        boolean aclsDisabled() {
            return "BucketOwnerEnforced".equals(ownership);
        }

        boolean blocksPublicAcls() {
            return publicAccessBlock != null && publicAccessBlock[0];
        }

        boolean ignoresPublicAcls() {
            return publicAccessBlock != null && publicAccessBlock[1];
        }
    }

    /**
     * One object version (the emulator keeps no others).
     *
     * @param checksum the full-object or composite value of {@code algorithm}, base64 (with {@code -N} for a
     *     composite)
     * @param crc64nvme S3's default full-object checksum, kept for every object whose own algorithm differs
     * @param sha1Hex the SHA-1 of the whole object when it is known without reading it (a single PutObject), else
     *     null: lets EC2 check a bundle part's digest at RegisterImage
     */
    record StoredObject(String key, List<Blob> blobs, long size, String etag, Instant lastModified, String contentType,
            Map<String, String> metadata, Map<String, String> tags, Acl acl, Checksums.Algorithm algorithm,
            String checksum, String checksumType, String crc64nvme, String sha1Hex, int partsCount) {
    }

    static final class Upload {
        final String id;
        final String key;
        final Instant initiated;
        final Acl acl;
        final Map<String, String> tags;
        final String contentType;
        final Map<String, String> metadata;
        final Checksums.Algorithm algorithm;
        /** COMPOSITE or FULL_OBJECT. */
        final String checksumType;
        final TreeMap<Integer, Part> parts = new TreeMap<>();

        Upload(String id, String key, Instant initiated, Acl acl, Map<String, String> tags, String contentType,
                Map<String, String> metadata, Checksums.Algorithm algorithm, String checksumType) {
            this.id = id;
            this.key = key;
            this.initiated = initiated;
            this.acl = acl;
            this.tags = tags;
            this.contentType = contentType;
            this.metadata = metadata;
            this.algorithm = algorithm;
            this.checksumType = checksumType;
        }
    }

    /** @param checksum the part's value of the upload's algorithm (base64), null without one */
    record Part(int number, Blob blob, String etag, String checksum, byte[] md5, Instant lastModified) {
    }
}
