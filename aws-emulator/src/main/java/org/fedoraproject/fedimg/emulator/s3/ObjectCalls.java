package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.w3c.dom.Element;

/**
 * Objects: PutObject (ACL, tags, metadata, checksums, conditional {@code If-None-Match: *} and {@code If-Match}),
 * GetObject and HeadObject (checksum mode), DeleteObject, DeleteObjects, ListObjectsV2, object ACLs and tags.
 */
final class ObjectCalls extends S3Calls {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int MAX_KEYS = 1000;

    ObjectCalls(S3Store store) {
        super(store);
    }

    @Override
    void register(Map<String, S3Api.Handler> ops) {
        ops.put("PutObject", this::putObject);
        ops.put("GetObject", r -> getObject(r, false));
        ops.put("HeadObject", r -> getObject(r, true));
        ops.put("DeleteObject", this::deleteObject);
        ops.put("DeleteObjects", this::deleteObjects);
        ops.put("ListObjectsV2", this::listObjectsV2);
        ops.put("GetObjectAcl", this::getObjectAcl);
        ops.put("PutObjectAcl", this::putObjectAcl);
        ops.put("GetObjectTagging", this::getObjectTagging);
        ops.put("PutObjectTagging", this::putObjectTagging);
        ops.put("DeleteObjectTagging", this::deleteObjectTagging);
    }

    private HttpReply putObject(S3Request r) throws IOException {
        String key = r.key();
        checkKey(key);
        Acl acl;
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            acl = requestedAcl(r, b, false);
            checkConditions(r, b.objects.get(key));
        }
        Map<String, String> tags = tagsFromHeader(r.header("x-amz-tagging"));
        Received body = receive(r, S3Store.MAX_PUT, null);
        Checksums.Algorithm algorithm = body.algorithm();
        String sha1 = algorithm == Checksums.Algorithm.SHA1
                ? HexFormat.of().formatHex(Base64.getDecoder().decode(body.checksum())) : null;
        S3Model.StoredObject object = new S3Model.StoredObject(key, List.of(body.blob()), body.blob().size,
                body.etag(), Instant.now(), contentType(r), metadata(r), tags, acl, algorithm, body.checksum(),
                "FULL_OBJECT", body.checksums().get(Checksums.Algorithm.CRC64NVME), sha1, 0);
        commit(r, object);
        HttpReply reply = ok().header("ETag", object.etag());
        if (algorithm != null) {
            reply.header(algorithm.header(), object.checksum()).header("x-amz-checksum-type", "FULL_OBJECT");
        }
        return reply;
    }

    /** Stores the object if the bucket still exists and the request's conditions still hold; else lets it go. */
    void commit(S3Request r, S3Model.StoredObject object) {
        synchronized (store) {
            try {
                S3Model.Bucket b = bucket(r);
                checkConditions(r, b.objects.get(object.key()));
                store.put(b, object);
            } catch (RuntimeException e) {
                object.blobs().forEach(Blob::release);
                throw e;
            }
        }
    }

    /** {@code If-None-Match: *} (create only) and {@code If-Match: <etag>} (replace only that version). */
    static void checkConditions(S3Request r, S3Model.StoredObject existing) {
        String noneMatch = r.header("if-none-match");
        if (noneMatch != null) {
            if (!noneMatch.trim().equals("*")) {
                throw S3Exception.notImplemented("If-None-Match other than * on writes");
            }
            if (existing != null) {
                throw preconditionFailed("If-None-Match");
            }
        }
        String match = r.header("if-match");
        if (match != null) {
            if (existing == null) {
                throw S3Exception.noSuchKey(r.key());
            }
            if (!stripQuotes(match).equals(stripQuotes(existing.etag())) && !match.trim().equals("*")) {
                throw preconditionFailed("If-Match");
            }
        }
    }

    private static S3Exception preconditionFailed(String condition) {
        return new S3Exception(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not "
                + "hold").with("Condition", condition);
    }

    static String stripQuotes(String etag) {
        String e = etag.trim();
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    private static String contentType(S3Request r) {
        return r.headers().getOrDefault("content-type", "binary/octet-stream");
    }

    private HttpReply getObject(S3Request r, boolean head) {
        if (r.header("range") != null && !head) {
            throw S3Exception.notImplemented("ranged GetObject");
        }
        if (r.has("partNumber")) {
            throw S3Exception.notImplemented("GetObject by partNumber");
        }
        S3Model.StoredObject o;
        InputStream data = null;
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            o = b.objects.get(r.key());
            if (o == null) {
                throw S3Exception.noSuchKey(r.key());
            }
            if (r.outsider(store.accountId()) && (b.aclsDisabled() || b.ignoresPublicAcls()
                    || !(r.anonymous() ? o.acl().grantsAllUsersRead() : o.acl().grantsAuthenticatedRead()))) {
                throw S3Exception.accessDenied();
            }
            if (!head) {
                data = S3Store.open(o.blobs()); // held from here, under the lock: the object may go meanwhile
            }
        }
        HttpReply reply;
        if (head) {
            reply = HttpReply.empty(200).header("Content-Length", Long.toString(o.size()));
        } else {
            InputStream held = data;
            long size = o.size();
            reply = HttpReply.stream(200, o.contentType(), new HttpReply.Body() {
                @Override
                public long length() {
                    return size;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    held.transferTo(out);
                }

                @Override
                public void close() throws IOException {
                    held.close();
                }
            });
        }
        reply.header("Content-Type", o.contentType()).header("ETag", o.etag())
                .header("Last-Modified", HTTP_DATE.format(o.lastModified())).header("Accept-Ranges", "bytes");
        o.metadata().forEach((k, v) -> reply.header("x-amz-meta-" + k, v));
        if (!o.tags().isEmpty()) {
            reply.header("x-amz-tagging-count", Integer.toString(o.tags().size()));
        }
        if ("ENABLED".equalsIgnoreCase(r.header("x-amz-checksum-mode"))) {
            if (o.algorithm() != null) {
                reply.header(o.algorithm().header(), o.checksum()).header("x-amz-checksum-type", o.checksumType());
            } else {
                reply.header(Checksums.Algorithm.CRC64NVME.header(), o.crc64nvme())
                        .header("x-amz-checksum-type", "FULL_OBJECT");
            }
        }
        return reply;
    }

    private HttpReply deleteObject(S3Request r) {
        synchronized (store) {
            store.delete(bucket(r), r.key());
        }
        return noContent();
    }

    private HttpReply deleteObjects(S3Request r) throws IOException {
        Element delete = S3Xml.parse(smallBody(r, true), "Delete");
        boolean quiet = "true".equalsIgnoreCase(S3Xml.text(delete, "Quiet"));
        List<String> keys = new ArrayList<>();
        for (Element o : S3Xml.children(delete, "Object")) {
            Element key = S3Xml.child(o, "Key");
            if (key == null) {
                throw S3Exception.malformedXml();
            }
            keys.add(key.getTextContent());
        }
        if (keys.isEmpty() || keys.size() > MAX_KEYS) {
            throw S3Exception.malformedXml();
        }
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            keys.forEach(k -> store.delete(b, k));
        }
        S3Xml x = S3Xml.document("DeleteResult");
        if (!quiet) {
            keys.forEach(k -> x.open("Deleted").element("Key", k).close("Deleted"));
        }
        return xml(200, x.end("DeleteResult"));
    }

    /**
     * Keys in UTF-8 order from after {@code start-after} or the continuation token (the last key or common prefix
     * returned), grouped by {@code delimiter}; every key and common prefix counts against {@code max-keys}.
     */
    private HttpReply listObjectsV2(S3Request r) {
        String prefix = r.query().getOrDefault("prefix", "");
        String delimiter = r.query().get("delimiter");
        if (delimiter != null && delimiter.isEmpty()) {
            delimiter = null;
        }
        int maxKeys = maxKeys(r.query().get("max-keys"));
        String token = r.query().get("continuation-token");
        String after = r.query().get("start-after");
        if (token != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw S3Exception.invalidArgument("The continuation token provided is incorrect",
                        "continuation-token", token);
            }
        }
        boolean url = "url".equals(r.query().get("encoding-type"));
        boolean owner = "true".equals(r.query().get("fetch-owner"));
        S3Xml contents = S3Xml.fragment();
        List<String> prefixes = new ArrayList<>();
        int count = 0;
        String last = null;
        boolean truncated = false;
        String bucketName;
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            bucketName = b.name;
            NavigableMap<String, S3Model.StoredObject> from = after == null || S3Model.UTF8_ORDER.compare(after, prefix) < 0
                    ? b.objects.tailMap(prefix, true) : b.objects.tailMap(after, false);
            for (S3Model.StoredObject o : from.values()) {
                String key = o.key();
                if (!key.startsWith(prefix)) {
                    break;
                }
                String common = null;
                if (delimiter != null) {
                    int at = key.indexOf(delimiter, prefix.length());
                    if (at >= 0) {
                        common = key.substring(0, at + delimiter.length());
                    }
                }
                if (common != null && (common.equals(last) || after != null && common.equals(after))) {
                    continue; // the rest of a common prefix already returned
                }
                if (count == maxKeys) {
                    truncated = true;
                    break;
                }
                count++;
                if (common != null) {
                    prefixes.add(common);
                    last = common;
                } else {
                    contents.open("Contents").element("Key", encode(key, url))
                            .element("LastModified", S3Xml.timestamp(o.lastModified())).element("ETag", o.etag());
                    if (o.algorithm() != null) {
                        contents.element("ChecksumAlgorithm", o.algorithm().name())
                                .element("ChecksumType", o.checksumType());
                    }
                    contents.element("Size", o.size());
                    if (owner) {
                        contents.open("Owner").element("ID", store.owner).close("Owner");
                    }
                    contents.element("StorageClass", "STANDARD").close("Contents");
                    last = key;
                }
            }
        }
        S3Xml x = S3Xml.document("ListBucketResult").element("Name", bucketName).element("Prefix", encode(prefix, url))
                .element("KeyCount", count).element("MaxKeys", maxKeys).element("Delimiter", encode(delimiter, url))
                .element("IsTruncated", truncated);
        x.raw(contents.toString());
        prefixes.forEach(p -> x.open("CommonPrefixes").element("Prefix", encode(p, url)).close("CommonPrefixes"));
        x.element("ContinuationToken", token);
        if (truncated) {
            x.element("NextContinuationToken", Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        }
        x.element("StartAfter", encode(r.query().get("start-after"), url));
        if (url) {
            x.element("EncodingType", "url");
        }
        return xml(200, x.end("ListBucketResult"));
    }

    static int maxKeys(String value) {
        if (value == null) {
            return MAX_KEYS;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, MAX_KEYS);
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument("Provided max-keys not an integer or within integer range", "max-keys",
                    value);
        }
    }

    static String encode(String s, boolean url) {
        return s == null || !url ? s : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private S3Model.StoredObject existing(S3Model.Bucket b, S3Request r) {
        S3Model.StoredObject o = b.objects.get(r.key());
        if (o == null) {
            throw S3Exception.noSuchKey(r.key());
        }
        return o;
    }

    private HttpReply getObjectAcl(S3Request r) {
        synchronized (store) {
            return xml(200, existing(bucket(r), r).acl().toXml(store.owner));
        }
    }

    private HttpReply putObjectAcl(S3Request r) throws IOException {
        byte[] body = smallBody(r, false);
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            S3Model.StoredObject o = existing(b, r);
            Acl acl;
            if (body.length > 0) {
                acl = Acl.parse(S3Xml.parse(body, "AccessControlPolicy"));
                if (b.aclsDisabled()) {
                    throw new S3Exception(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
                }
                checkAcl(b, acl);
            } else {
                acl = requestedAcl(r, b, false);
            }
            store.put(b, withBlobsRetained(o, o.tags(), acl));
        }
        return ok();
    }

    private HttpReply getObjectTagging(S3Request r) {
        synchronized (store) {
            return xml(200, tagsXml(existing(bucket(r), r).tags()));
        }
    }

    private HttpReply putObjectTagging(S3Request r) throws IOException {
        Map<String, String> tags = tagsFromXml(smallBody(r, false), 10);
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            S3Model.StoredObject o = existing(b, r);
            store.put(b, withBlobsRetained(o, tags, o.acl()));
        }
        return ok();
    }

    private HttpReply deleteObjectTagging(S3Request r) {
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            S3Model.StoredObject o = existing(b, r);
            store.put(b, withBlobsRetained(o, Map.of(), o.acl()));
        }
        return noContent();
    }

    /** The same object with other tags or another ACL; {@link S3Store#put} releases the old record's hold. */
    private static S3Model.StoredObject withBlobsRetained(S3Model.StoredObject o, Map<String, String> tags, Acl acl) {
        o.blobs().forEach(Blob::retain);
        return new S3Model.StoredObject(o.key(), o.blobs(), o.size(), o.etag(), o.lastModified(), o.contentType(),
                o.metadata(), Map.copyOf(tags), acl, o.algorithm(), o.checksum(), o.checksumType(), o.crc64nvme(),
                o.sha1Hex(), o.partsCount());
    }
}
