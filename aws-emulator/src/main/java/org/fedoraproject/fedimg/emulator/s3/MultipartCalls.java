package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.w3c.dom.Element;

/**
 * Multipart uploads: Create (ACL, tags, checksum algorithm and type), UploadPart, Complete (part order, ETags,
 * part checksums, the 5 MiB minimum, {@code If-None-Match: *}), Abort, ListParts and ListMultipartUploads (the
 * janitor's way to find unfinished uploads, which cost storage until aborted).
 */
final class MultipartCalls extends S3Calls {

    static final long MIN_PART = 5L << 20;
    static final int MAX_PARTS = 10_000;

    private final ObjectCalls objects;

    MultipartCalls(S3Store store, ObjectCalls objects) {
        super(store);
        this.objects = objects;
    }

    @Override
    void register(Map<String, S3Api.Handler> ops) {
        ops.put("CreateMultipartUpload", this::create);
        ops.put("UploadPart", this::uploadPart);
        ops.put("CompleteMultipartUpload", this::complete);
        ops.put("AbortMultipartUpload", this::abort);
        ops.put("ListParts", this::listParts);
        ops.put("ListMultipartUploads", this::listUploads);
    }

    private HttpReply create(S3Request r) {
        String key = r.key();
        checkKey(key);
        Checksums.Algorithm algorithm = Checksums.Algorithm.parse(r.header("x-amz-checksum-algorithm"));
        String type = r.header("x-amz-checksum-type");
        if (type != null && algorithm == null) {
            throw S3Exception.invalidRequest("The x-amz-checksum-type header can only be used with the "
                    + "x-amz-checksum-algorithm header.");
        }
        if (type == null) {
            type = algorithm == Checksums.Algorithm.CRC64NVME ? "FULL_OBJECT" : "COMPOSITE";
        }
        // SHA checksums only combine as COMPOSITE, CRC64NVME only as FULL_OBJECT
        if (!type.equals("COMPOSITE") && !type.equals("FULL_OBJECT")
                || type.equals("FULL_OBJECT") && algorithm != null && !algorithm.isCrc()
                || type.equals("COMPOSITE") && algorithm == Checksums.Algorithm.CRC64NVME) {
            throw S3Exception.invalidRequest("The " + algorithm + " checksum algorithm does not support the " + type
                    + " checksum type.");
        }
        Map<String, String> tags = tagsFromHeader(r.header("x-amz-tagging"));
        S3Model.Upload upload;
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            Acl acl = requestedAcl(r, b, false);
            upload = new S3Model.Upload(UUID.randomUUID().toString().replace("-", ""), key, Instant.now(), acl, tags,
                    r.headers().getOrDefault("content-type", "binary/octet-stream"), metadata(r), algorithm,
                    algorithm == null ? null : type);
            b.uploads.put(upload.id, upload);
        }
        HttpReply reply = xml(200, S3Xml.document("InitiateMultipartUploadResult").element("Bucket", r.bucket())
                .element("Key", key).element("UploadId", upload.id).end("InitiateMultipartUploadResult"));
        if (algorithm != null) {
            reply.header("x-amz-checksum-algorithm", algorithm.name()).header("x-amz-checksum-type", type);
        }
        return reply;
    }

    private S3Model.Upload upload(S3Model.Bucket b, S3Request r) {
        String id = r.query().get("uploadId");
        S3Model.Upload u = b.uploads.get(id);
        if (u == null || !u.key.equals(r.key())) {
            throw S3Exception.noSuchUpload(id);
        }
        return u;
    }

    private HttpReply uploadPart(S3Request r) throws IOException {
        int number = partNumber(r.query().get("partNumber"));
        if (r.header("x-amz-copy-source") != null) {
            throw S3Exception.notImplemented("UploadPartCopy");
        }
        Checksums.Algorithm algorithm;
        synchronized (store) {
            algorithm = upload(bucket(r), r).algorithm;
        }
        Checksums.Algorithm sent = requestedAlgorithm(r);
        if (sent != null && algorithm != null && sent != algorithm) {
            throw S3Exception.invalidRequest("Checksum Type mismatch occurred, expected checksum Type: "
                    + algorithm.name().toLowerCase(Locale.ROOT) + ", actual checksum Type: "
                    + sent.name().toLowerCase(Locale.ROOT));
        }
        Received body = receive(r, S3Store.MAX_PUT, algorithm);
        S3Model.Part part = new S3Model.Part(number, body.blob(), body.etag(),
                algorithm == null ? null : body.checksums().get(algorithm), body.md5(), Instant.now());
        synchronized (store) {
            try {
                S3Model.Upload u = upload(bucket(r), r);
                S3Model.Part old = u.parts.put(number, part);
                if (old != null) {
                    old.blob().release();
                }
            } catch (RuntimeException e) {
                body.blob().release();
                throw e;
            }
        }
        HttpReply reply = ok().header("ETag", part.etag());
        if (algorithm != null) {
            reply.header(algorithm.header(), part.checksum());
        }
        return reply;
    }

    private static int partNumber(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_PARTS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw S3Exception.invalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                "partNumber", value);
    }

    private HttpReply complete(S3Request r) throws IOException {
        Element doc = S3Xml.parse(smallBody(r, false), "CompleteMultipartUpload");
        List<Element> listed = S3Xml.children(doc, "Part");
        if (listed.isEmpty()) {
            throw S3Exception.invalidRequest("You must specify at least one part");
        }
        S3Model.Upload upload;
        List<S3Model.Part> parts = new ArrayList<>();
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            upload = upload(b, r);
            ObjectCalls.checkConditions(r, b.objects.get(upload.key));
            int previous = 0;
            for (Element e : listed) {
                int number = partNumber(S3Xml.text(e, "PartNumber"));
                if (number <= previous) {
                    throw new S3Exception(400, "InvalidPartOrder", "The list of parts was not in ascending order. "
                            + "Parts must be ordered by part number.").with("UploadId", upload.id);
                }
                previous = number;
                S3Model.Part part = upload.parts.get(number);
                String etag = S3Xml.text(e, "ETag");
                if (part == null || etag == null
                        || !ObjectCalls.stripQuotes(etag).equals(ObjectCalls.stripQuotes(part.etag()))) {
                    throw new S3Exception(400, "InvalidPart", "One or more of the specified parts could not be found. "
                            + "The part may not have been uploaded, or the specified entity tag may not match the "
                            + "part's entity tag.").with("UploadId", upload.id).with("PartNumber",
                                    Integer.toString(number)).with("ETag", etag);
                }
                checkPartChecksum(upload, part, e);
                parts.add(part);
            }
            for (int i = 0; i < parts.size() - 1; i++) {
                if (parts.get(i).blob().size < MIN_PART) {
                    throw new S3Exception(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum "
                            + "allowed size").with("ProposedSize", Long.toString(parts.get(i).blob().size))
                            .with("MinSizeAllowed", Long.toString(MIN_PART));
                }
            }
            parts.forEach(p -> p.blob().retain()); // the object's hold, taken before the lock is let go
        }
        S3Model.StoredObject object;
        try {
            object = assemble(r, upload, parts);
        } catch (IOException | RuntimeException e) {
            parts.forEach(p -> p.blob().release());
            throw e;
        }
        objects.commit(r, object);
        synchronized (store) {
            S3Model.Bucket b = store.buckets.get(r.bucket());
            if (b != null && b.uploads.get(upload.id) == upload) {
                store.abort(b, upload); // parts not listed go; the listed ones live on in the object
            }
        }
        S3Xml x = S3Xml.document("CompleteMultipartUploadResult").element("Location", "/" + r.bucket() + "/" + upload.key)
                .element("Bucket", r.bucket()).element("Key", upload.key).element("ETag", object.etag());
        if (object.algorithm() != null) {
            x.element(object.algorithm().element(), object.checksum()).element("ChecksumType", object.checksumType());
        }
        return xml(200, x.end("CompleteMultipartUploadResult"));
    }

    /** A part's checksum in the Complete request must be the one it was uploaded with; it is required. */
    private static void checkPartChecksum(S3Model.Upload upload, S3Model.Part part, Element listed) {
        if (upload.algorithm == null) {
            return;
        }
        String given = S3Xml.text(listed, upload.algorithm.element());
        if (given == null) {
            throw S3Exception.invalidRequest("The upload was created using a "
                    + upload.algorithm.name().toLowerCase(Locale.ROOT) + " checksum. The complete request "
                    + "must include the checksum for each part. It was missing for part " + part.number()
                    + " in the request.");
        }
        if (!given.equals(part.checksum())) {
            throw new S3Exception(400, "InvalidPart", "One or more of the specified parts could not be found. The part "
                    + "may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
                    .with("PartNumber", Integer.toString(part.number()));
        }
    }

    /**
     * The completed object: its ETag is the MD5 of the parts' MD5s with {@code -N}; its checksum COMPOSITE (the
     * algorithm over the part checksums) or FULL_OBJECT (a CRC over all the bytes, read once more here), else the
     * CRC64NVME S3 computes for every object.
     */
    private S3Model.StoredObject assemble(S3Request r, S3Model.Upload upload, List<S3Model.Part> parts)
            throws IOException {
        MessageDigest md5s = Checksums.digest("MD5");
        List<Blob> blobs = new ArrayList<>();
        long size = 0;
        for (S3Model.Part p : parts) {
            md5s.update(p.md5());
            blobs.add(p.blob());
            size += p.blob().size;
        }
        String etag = "\"" + HexFormat.of().formatHex(md5s.digest()) + "-" + parts.size() + "\"";
        Checksums.Algorithm algorithm = upload.algorithm;
        String checksum = null;
        String crc64 = null;
        if (algorithm != null && "COMPOSITE".equals(upload.checksumType)) {
            checksum = Checksums.composite(algorithm, parts.stream().map(S3Model.Part::checksum).toList(), parts.size());
        } else {
            Checksums.Digests full = new Checksums.Digests(algorithm);
            try (InputStream in = S3Store.open(blobs)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) >= 0;) {
                    full.update(buf, 0, n);
                }
            }
            Map<Checksums.Algorithm, String> values = full.finish();
            crc64 = values.get(Checksums.Algorithm.CRC64NVME);
            checksum = algorithm == null ? null : values.get(algorithm);
            String claimed = algorithm == null ? null : r.header(algorithm.header());
            if (claimed != null && !claimed.equals(checksum)) {
                throw new S3Exception(400, "BadDigest", "The " + algorithm.name() + " you specified for the full "
                        + "object did not match the calculated checksum.");
            }
        }
        return new S3Model.StoredObject(upload.key, List.copyOf(blobs), size, etag, Instant.now(), upload.contentType,
                upload.metadata, upload.tags, upload.acl, algorithm, checksum, upload.checksumType, crc64, null,
                parts.size());
    }

    private HttpReply abort(S3Request r) {
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            store.abort(b, upload(b, r));
        }
        return noContent();
    }

    private HttpReply listParts(S3Request r) {
        int max = Math.min(ObjectCalls.maxKeys(r.query().get("max-parts")), 1000);
        int marker = r.query().containsKey("part-number-marker")
                ? Integer.parseInt(r.query().get("part-number-marker")) : 0;
        synchronized (store) {
            S3Model.Upload u = upload(bucket(r), r);
            S3Xml x = S3Xml.document("ListPartsResult").element("Bucket", r.bucket()).element("Key", u.key)
                    .element("UploadId", u.id).element("PartNumberMarker", marker);
            List<S3Model.Part> page = u.parts.tailMap(marker, false).values().stream().limit(max).toList();
            boolean truncated = u.parts.tailMap(marker, false).size() > page.size();
            if (!page.isEmpty()) {
                x.element("NextPartNumberMarker", page.get(page.size() - 1).number());
            }
            x.element("MaxParts", max).element("IsTruncated", truncated);
            for (S3Model.Part p : page) {
                x.open("Part").element("PartNumber", p.number()).element("LastModified", S3Xml.timestamp(p.lastModified()))
                        .element("ETag", p.etag()).element("Size", p.blob().size);
                if (u.algorithm != null) {
                    x.element(u.algorithm.element(), p.checksum());
                }
                x.close("Part");
            }
            x.open("Owner").element("ID", store.owner).close("Owner").element("StorageClass", "STANDARD");
            if (u.algorithm != null) {
                x.element("ChecksumAlgorithm", u.algorithm.name()).element("ChecksumType", u.checksumType);
            }
            return xml(200, x.end("ListPartsResult"));
        }
    }

    private HttpReply listUploads(S3Request r) {
        String prefix = r.query().getOrDefault("prefix", "");
        boolean url = "url".equals(r.query().get("encoding-type"));
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            S3Xml x = S3Xml.document("ListMultipartUploadsResult").element("Bucket", b.name)
                    .element("Prefix", ObjectCalls.encode(prefix, url)).element("MaxUploads", 1000)
                    .element("IsTruncated", false);
            for (S3Model.Upload u : b.uploads.values()) {
                if (u.key.startsWith(prefix)) {
                    x.open("Upload").element("Key", ObjectCalls.encode(u.key, url)).element("UploadId", u.id)
                            .open("Initiator").element("ID", store.owner).close("Initiator")
                            .open("Owner").element("ID", store.owner).close("Owner")
                            .element("StorageClass", "STANDARD").element("Initiated", S3Xml.timestamp(u.initiated));
                    if (u.algorithm != null) {
                        x.element("ChecksumAlgorithm", u.algorithm.name()).element("ChecksumType", u.checksumType);
                    }
                    x.close("Upload");
                }
            }
            if (url) {
                x.element("EncodingType", "url");
            }
            return xml(200, x.end("ListMultipartUploadsResult"));
        }
    }
}
