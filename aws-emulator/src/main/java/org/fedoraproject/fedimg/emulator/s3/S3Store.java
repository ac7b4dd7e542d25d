package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.UUID;

import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.ebs.BlockStore;

/**
 * S3's state: every bucket (names are global, each bucket is bound to its region) with its objects and multipart
 * uploads, guarded by this object's lock; object bytes in {@link Blob} files under the work dir, never on the heap.
 * Besides the S3 API it serves EC2, which reads bundles as AWS's EC2 does: only where an ACL lets it
 * ({@link #holdForEc2}), and which writes the copies CopyImage makes ({@link #putForEc2}).
 */
public final class S3Store {

    /** AWS's largest single PUT. */
    static final long MAX_PUT = 5L << 30;
    private static final int BUFFER = 64 * 1024;

    private final Path dir;
    private final String accountId;
    /** The account's canonical user id, as S3 shows owners. */
    final String owner;
    /** Bucket names; read and changed under this object's lock. */
    final Map<String, S3Model.Bucket> buckets = new TreeMap<>();

    public S3Store(Path dir, String accountId) {
        this.dir = dir;
        this.accountId = accountId;
        this.owner = HexFormat.of().formatHex(BlockStore.newSha256().digest(("canonical-user/" + accountId)
                .getBytes(StandardCharsets.UTF_8)));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String accountId() {
        return accountId;
    }

    /** Under the lock: the bucket, or NoSuchBucket. */
    S3Model.Bucket bucket(String name) {
        S3Model.Bucket b = buckets.get(name);
        if (b == null) {
            throw S3Exception.noSuchBucket(name);
        }
        return b;
    }

    // ---- bytes ----

    /**
     * Writes a body of exactly {@code expected} bytes to a new blob, feeding {@code digests}; a shorter or longer
     * body is IncompleteBody and leaves nothing behind.
     */
    Blob receive(InputStream body, long expected, Checksums.Digests digests) throws IOException {
        Path file = dir.resolve(UUID.randomUUID() + ".blob");
        byte[] buf = new byte[BUFFER];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n; (n = body.read(buf)) >= 0;) {
                total += n;
                if (total > expected) {
                    throw incomplete(expected);
                }
                out.write(buf, 0, n);
                digests.update(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        if (total != expected) {
            Files.deleteIfExists(file);
            throw incomplete(expected);
        }
        return new Blob(file, total);
    }

    private static S3Exception incomplete(long expected) {
        return new S3Exception(400, "IncompleteBody", "You did not provide the number of bytes specified by the "
                + "Content-Length HTTP header (" + expected + ")");
    }

    /** The object's bytes; its blobs stay on disk until the stream is closed, whatever happens to the object. */
    static InputStream open(List<Blob> blobs) {
        List<Blob> held = new ArrayList<>();
        for (Blob b : blobs) {
            held.add(b.retain());
        }
        return new InputStream() {
            private final Iterator<Blob> next = held.iterator();
            private InputStream current;
            private boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    if (current == null) {
                        if (!next.hasNext()) {
                            return -1;
                        }
                        current = Files.newInputStream(next.next().file);
                    }
                    int n = current.read(b, off, len);
                    if (n >= 0) {
                        return n;
                    }
                    current.close();
                    current = null;
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (current != null) {
                    current.close();
                }
                held.forEach(Blob::release);
            }
        };
    }

    /** Under the lock: stores (or replaces) an object, letting go of the blobs of the one it replaces. */
    void put(S3Model.Bucket bucket, S3Model.StoredObject object) {
        S3Model.StoredObject old = bucket.objects.put(object.key(), object);
        if (old != null) {
            old.blobs().forEach(Blob::release);
        }
    }

    /** Under the lock. */
    void delete(S3Model.Bucket bucket, String key) {
        S3Model.StoredObject old = bucket.objects.remove(key);
        if (old != null) {
            old.blobs().forEach(Blob::release);
        }
    }

    /** Under the lock. */
    void abort(S3Model.Bucket bucket, S3Model.Upload upload) {
        bucket.uploads.remove(upload.id);
        upload.parts.values().forEach(p -> p.blob().release());
    }

    // ---- EC2's access to bundles ----

    /** Why EC2 cannot read an object: it, or its bucket, is missing, in another region, or not readable by EC2. */
    public static final class NotReadableException extends Exception {
        NotReadableException(String message) {
            super(message, null, false, false);
        }
    }

    /** An object EC2 holds: its bytes stay as they were when it was taken, until {@link #close()}. */
    public static final class Held implements AutoCloseable {
        private final String bucket;
        private final S3Model.StoredObject object;
        private boolean closed;

        private Held(String bucket, S3Model.StoredObject object) {
            this.bucket = bucket;
            this.object = object;
            object.blobs().forEach(Blob::retain);
        }

        public String bucket() {
            return bucket;
        }

        public String key() {
            return object.key();
        }

        public long size() {
            return object.size();
        }

        /** The object's SHA-1, from its {@code x-amz-checksum-sha1} when it was uploaded with one, else read. */
        public String sha1Hex() throws IOException {
            if (object.sha1Hex() != null) {
                return object.sha1Hex();
            }
            MessageDigest sha1 = Checksums.digest("SHA-1");
            try (InputStream in = S3Store.open(object.blobs())) {
                byte[] buf = new byte[BUFFER];
                for (int n; (n = in.read(buf)) >= 0;) {
                    sha1.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha1.digest());
        }

        public InputStream open() {
            return S3Store.open(object.blobs());
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                object.blobs().forEach(Blob::release);
            }
        }
    }

    /**
     * Takes an object as EC2 in {@code region} would read it: the bucket must exist in that region and the
     * object's ACL must let EC2 read it ({@code aws-exec-read}, or a grant to all or authenticated users that the
     * bucket's public access block does not ignore).
     */
    public synchronized Held holdForEc2(String region, String bucketName, String key) throws NotReadableException {
        S3Model.Bucket bucket = buckets.get(bucketName);
        if (bucket == null) {
            throw new NotReadableException("bucket " + bucketName + " does not exist");
        }
        if (!bucket.region.equals(region)) {
            throw new NotReadableException("bucket " + bucketName + " is in " + bucket.region + ", not in " + region);
        }
        S3Model.StoredObject object = bucket.objects.get(key);
        if (object == null) {
            throw new NotReadableException("s3://" + bucketName + "/" + key + " does not exist");
        }
        Acl acl = object.acl();
        boolean readable = !bucket.aclsDisabled()
                && (acl.grantsEc2Read() || acl.grantsAuthenticatedRead() && !bucket.ignoresPublicAcls());
        if (!readable) {
            throw new NotReadableException("EC2 may not read s3://" + bucketName + "/" + key + " (its ACL is "
                    + (bucket.aclsDisabled() ? "disabled by the bucket's object ownership " + bucket.ownership
                            : acl.describe()) + "; upload bundle parts and manifests with the canned ACL aws-exec-read "
                    + "to a bucket with ACLs enabled)");
        }
        return new Held(bucketName, object);
    }

    /**
     * Creates the bucket EC2 keeps instance-store AMI copies in, if missing: AWS names it
     * {@code amis-for-<account>-in-<region>-<hash>}, enables ACLs on it and writes with {@code aws-exec-read}.
     */
    public synchronized String amiCopyBucket(String region) {
        String name = "amis-for-" + accountId + "-in-" + region + "-"
                + HexFormat.of().formatHex(BlockStore.newSha256().digest((accountId + "/" + region)
                        .getBytes(StandardCharsets.UTF_8))).substring(0, 8);
        buckets.computeIfAbsent(name, n -> {
            S3Model.Bucket b = new S3Model.Bucket(n, region, Instant.now(), Acl.ownerOnly(owner));
            b.ownership = "ObjectWriter";
            return b;
        });
        return name;
    }

    /** Stores a copy of a held object (sharing its bytes) with the {@code aws-exec-read} ACL. */
    public synchronized void putForEc2(String bucketName, String key, Held source) {
        S3Model.StoredObject o = source.object;
        o.blobs().forEach(Blob::retain);
        put(bucket(bucketName), new S3Model.StoredObject(key, o.blobs(), o.size(), o.etag(), Instant.now(),
                o.contentType(), o.metadata(), Map.of(), Acl.canned("aws-exec-read", owner, false), o.algorithm(),
                o.checksum(), o.checksumType(), o.crc64nvme(), o.sha1Hex(), o.partsCount()));
    }

    // ---- views, reset, close ----

    public synchronized List<Views.Bucket> bucketViews() {
        List<Views.Bucket> out = new ArrayList<>();
        for (S3Model.Bucket b : buckets.values()) {
            long bytes = b.objects.values().stream().mapToLong(S3Model.StoredObject::size).sum();
            out.add(new Views.Bucket(b.name, b.region, b.created, b.ownership, b.acl.describe(), Map.copyOf(b.tags),
                    b.objects.size(), bytes, b.uploads.size()));
        }
        return out;
    }

    public synchronized List<Views.S3Object> objectViews(String bucketName) {
        S3Model.Bucket b = buckets.get(bucketName);
        if (b == null) {
            throw new NoSuchElementException("no bucket " + bucketName);
        }
        List<Views.S3Object> out = new ArrayList<>();
        for (S3Model.StoredObject o : b.objects.values()) {
            out.add(new Views.S3Object(b.name, o.key(), o.size(), o.etag(), o.lastModified(), o.acl().describe(),
                    Map.copyOf(o.tags()), o.algorithm() == null ? null : o.algorithm().name(), o.checksum(),
                    o.partsCount()));
        }
        return out;
    }

    /** Buckets, objects and unfinished multipart uploads, for the live resource count. */
    public synchronized long[] counts() {
        long objects = 0;
        long uploads = 0;
        for (S3Model.Bucket b : buckets.values()) {
            objects += b.objects.size();
            uploads += b.uploads.size();
        }
        return new long[] {buckets.size(), objects, uploads};
    }

    /** Every bucket, object and upload gone; files of objects still being read go when their readers close. */
    public synchronized void reset() {
        for (S3Model.Bucket b : buckets.values()) {
            b.objects.values().forEach(o -> o.blobs().forEach(Blob::release));
            b.uploads.values().forEach(u -> u.parts.values().forEach(p -> p.blob().release()));
        }
        buckets.clear();
    }
}
