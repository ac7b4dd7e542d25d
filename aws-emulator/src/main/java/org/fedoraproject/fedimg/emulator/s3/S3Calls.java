package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.w3c.dom.Element;

/**
 * What the S3 handlers share: the bucket a request may use (it exists, it is bound to the signing region), ACLs
 * from {@code x-amz-acl} against the bucket's object ownership and public access block, tag sets, and the checks
 * of an upload's body ({@link #receive}: length, {@code Content-MD5}, {@code x-amz-content-sha256},
 * {@code x-amz-checksum-*} as header or {@code aws-chunked} trailer).
 */
abstract class S3Calls {

    final S3Store store;

    S3Calls(S3Store store) {
        this.store = store;
    }

    abstract void register(Map<String, S3Api.Handler> ops);

    /** Under the store's lock: the request's bucket; it must be in the region the request is signed for. */
    S3Model.Bucket bucket(S3Request r) {
        S3Model.Bucket b = store.bucket(r.bucket());
        if (!r.anonymous() && !b.region.equals(r.region())) {
            throw new S3Exception(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the "
                    + "region '" + r.region() + "' is wrong; expecting '" + b.region + "'").with("Region", b.region)
                    .header("x-amz-bucket-region", b.region);
        }
        return b;
    }

    static HttpReply xml(int status, String xml) {
        return new HttpReply(status, "application/xml", new LinkedHashMap<>(), xml.getBytes(StandardCharsets.UTF_8));
    }

    static HttpReply ok() {
        return HttpReply.empty(200);
    }

    static HttpReply noContent() {
        return HttpReply.empty(204);
    }

    /**
     * A small request body (an XML document), checked against its {@code Content-MD5} and {@code x-amz-checksum-*}
     * when sent; {@code integrityRequired} for the calls S3 refuses without one (the SDK adds it by itself).
     */
    static byte[] smallBody(S3Request r, boolean integrityRequired) throws IOException {
        byte[] body = r.body().readNBytes(S3Xml.MAX_BODY + 1);
        if (body.length > S3Xml.MAX_BODY) {
            throw new S3Exception(400, "MaxMessageLengthExceeded", "Your request was too big.");
        }
        byte[] contentMd5 = contentMd5(r);
        Checksums.Algorithm algorithm = requestedAlgorithm(r);
        if (integrityRequired && contentMd5 == null && algorithm == null) {
            throw S3Exception.invalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }
        Checksums.Digests digests = new Checksums.Digests(algorithm);
        digests.update(body, 0, body.length);
        verify(r, contentMd5, digests.md5(), algorithm, digests.finish());
        return body;
    }

    // ---- ACLs ----

    /**
     * The ACL a write asks for with {@code x-amz-acl} (private without one). A bucket with ACLs disabled
     * (BucketOwnerEnforced) takes none but {@code bucket-owner-full-control}; a public one is refused while the
     * bucket's public access block says BlockPublicAcls.
     */
    Acl requestedAcl(S3Request r, S3Model.Bucket bucket, boolean forBucket) {
        for (String grant : new String[] {"x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
                "x-amz-grant-write-acp", "x-amz-grant-full-control"}) {
            if (r.header(grant) != null) {
                throw S3Exception.notImplemented(grant + " (use a canned ACL)");
            }
        }
        String canned = r.header("x-amz-acl");
        if (canned == null) {
            return Acl.ownerOnly(store.owner);
        }
        Acl acl = Acl.canned(canned, store.owner, forBucket);
        checkAcl(bucket, acl);
        return acl;
    }

    void checkAcl(S3Model.Bucket bucket, Acl acl) {
        if (bucket != null && bucket.aclsDisabled() && !Acl.BUCKET_OWNER_FULL_CONTROL.equals(acl.canned())) {
            throw new S3Exception(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
        }
        if (acl.isPublic() && (bucket == null || bucket.blocksPublicAcls())) {
            throw S3Exception.accessDenied();
        }
    }

    // ---- tags ----

    /** {@code x-amz-tagging: k1=v1&k2=v2}. */
    static Map<String, String> tagsFromHeader(String header) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header == null || header.isEmpty()) {
            return tags;
        }
        for (String pair : header.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            addTag(tags, k, v);
        }
        return checkTags(tags, 10);
    }

    /** {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>}. */
    static Map<String, String> tagsFromXml(byte[] body, int max) {
        Element tagSet = S3Xml.child(S3Xml.parse(body, "Tagging"), "TagSet");
        if (tagSet == null) {
            throw S3Exception.malformedXml();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element tag : S3Xml.children(tagSet, "Tag")) {
            Element key = S3Xml.child(tag, "Key");
            Element value = S3Xml.child(tag, "Value");
            if (key == null || value == null) {
                throw S3Exception.malformedXml();
            }
            addTag(tags, key.getTextContent(), value.getTextContent());
        }
        return checkTags(tags, max);
    }

    private static void addTag(Map<String, String> tags, String key, String value) {
        if (tags.put(key, value) != null) {
            throw new S3Exception(400, "InvalidTag", "Cannot provide multiple Tags with the same key");
        }
    }

    private static Map<String, String> checkTags(Map<String, String> tags, int max) {
        if (tags.size() > max) {
            throw new S3Exception(400, "BadRequest", "Object tags cannot be greater than " + max);
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (t.getKey().isEmpty() || t.getKey().length() > 128 || t.getValue().length() > 256) {
                throw new S3Exception(400, "InvalidTag", "The TagKey you have provided is invalid");
            }
            if (t.getKey().toLowerCase(Locale.ROOT).startsWith("aws:")) {
                throw new S3Exception(400, "InvalidTag", "Your TagKey cannot be prefixed with aws:");
            }
        }
        return tags;
    }

    static String tagsXml(Map<String, String> tags) {
        S3Xml x = S3Xml.document("Tagging").open("TagSet");
        tags.forEach((k, v) -> x.open("Tag").element("Key", k).element("Value", v).close("Tag"));
        return x.close("TagSet").end("Tagging");
    }

    // ---- bodies ----

    /** A body stored as a blob, with its MD5 and its checksums (base64), checked against what the request claimed. */
    record Received(Blob blob, byte[] md5, Map<Checksums.Algorithm, String> checksums,
            Checksums.Algorithm algorithm) {

        String etag() {
            return "\"" + HexFormat.of().formatHex(md5) + "\"";
        }

        String checksum() {
            return algorithm == null ? null : checksums.get(algorithm);
        }
    }

    /**
     * Reads an upload's body into a blob and checks it: its length against {@code x-amz-decoded-content-length}
     * or {@code Content-Length} (at most {@code maxBytes}), {@code Content-MD5}, a hex {@code x-amz-content-sha256}
     * and the {@code x-amz-checksum-*} value, sent as a header or as an {@code aws-chunked} trailer (the SDK's
     * default since 2.30). {@code extra} is computed as well (a multipart upload's algorithm).
     */
    Received receive(S3Request r, long maxBytes, Checksums.Algorithm extra) throws IOException {
        long length = expectedLength(r);
        if (length > maxBytes) {
            throw new S3Exception(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
                    .with("ProposedSize", Long.toString(length)).with("MaxSizeAllowed", Long.toString(maxBytes));
        }
        byte[] contentMd5 = contentMd5(r);
        Checksums.Algorithm algorithm = requestedAlgorithm(r);
        String contentSha256 = r.header("x-amz-content-sha256");
        boolean signedPayload = contentSha256 != null && contentSha256.matches("[0-9a-f]{64}");
        Checksums.Digests digests = new Checksums.Digests(algorithm, extra,
                signedPayload ? Checksums.Algorithm.SHA256 : null);
        Blob blob = store.receive(r.body(), length, digests);
        try {
            byte[] md5 = digests.md5();
            Map<Checksums.Algorithm, String> checksums = digests.finish();
            verify(r, contentMd5, md5, algorithm, checksums);
            if (signedPayload && !contentSha256.equals(HexFormat.of().formatHex(
                    Base64.getDecoder().decode(checksums.get(Checksums.Algorithm.SHA256))))) {
                throw new S3Exception(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header "
                        + "does not match what was computed.").with("ClientComputedContentSHA256", contentSha256);
            }
            return new Received(blob, md5, checksums, algorithm);
        } catch (RuntimeException e) {
            blob.release();
            throw e;
        }
    }

    /** Content-MD5 and the checksum (header, or trailer once the body is read) against what was computed. */
    private static void verify(S3Request r, byte[] contentMd5, byte[] md5, Checksums.Algorithm algorithm,
            Map<Checksums.Algorithm, String> computed) {
        if (contentMd5 != null && !MessageDigest.isEqual(contentMd5, md5)) {
            throw new S3Exception(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
                    .with("ExpectedDigest", Base64.getEncoder().encodeToString(contentMd5))
                    .with("CalculatedDigest", Base64.getEncoder().encodeToString(md5));
        }
        if (algorithm == null) {
            return;
        }
        String claimed = r.header(algorithm.header());
        if (claimed == null) {
            claimed = r.trailers().get().get(algorithm.header());
            if (claimed == null) {
                throw S3Exception.invalidRequest("The trailer " + algorithm.header()
                        + " announced in x-amz-trailer was not sent.");
            }
            claimed = claimed.trim();
            Checksums.checkForm(algorithm, claimed);
        }
        if (!claimed.equals(computed.get(algorithm))) {
            throw new S3Exception(400, "BadDigest", "The " + algorithm.name() + " you specified did not match the "
                    + "calculated checksum.");
        }
    }

    private static long expectedLength(S3Request r) {
        String decoded = r.header("x-amz-decoded-content-length");
        String length = decoded != null ? decoded : r.header("content-length");
        if (length == null) {
            throw new S3Exception(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
        }
        try {
            long n = Long.parseLong(length.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw S3Exception.invalidArgument("Invalid Content-Length", "Content-Length", length);
        }
    }

    private static byte[] contentMd5(S3Request r) {
        String value = r.header("content-md5");
        if (value == null) {
            return null;
        }
        try {
            byte[] md5 = Base64.getDecoder().decode(value.trim());
            if (md5.length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException e) {
            // below
        }
        throw new S3Exception(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
                .with("Content-MD5", value);
    }

    /**
     * The one checksum algorithm of an upload: from an {@code x-amz-checksum-*} header, else from the trailer
     * {@code x-amz-trailer} announces; {@code x-amz-sdk-checksum-algorithm} must agree and may not come alone.
     */
    static Checksums.Algorithm requestedAlgorithm(S3Request r) {
        Checksums.Algorithm fromHeader = null;
        for (Checksums.Algorithm a : Checksums.Algorithm.values()) {
            String v = r.header(a.header());
            if (v != null) {
                if (fromHeader != null) {
                    throw S3Exception.invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum "
                            + "Types are not allowed.");
                }
                Checksums.checkForm(a, v);
                fromHeader = a;
            }
        }
        Checksums.Algorithm fromTrailer = null;
        String trailer = r.header("x-amz-trailer");
        if (trailer != null && trailer.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-")) {
            fromTrailer = Checksums.Algorithm.parse(trailer.substring("x-amz-checksum-".length()).trim());
        }
        if (fromHeader != null && fromTrailer != null) {
            throw S3Exception.invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are "
                    + "not allowed.");
        }
        Checksums.Algorithm chosen = fromHeader != null ? fromHeader : fromTrailer;
        Checksums.Algorithm sdk = Checksums.Algorithm.parse(r.header("x-amz-sdk-checksum-algorithm"));
        if (sdk != null && chosen == null) {
            throw S3Exception.invalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding "
                    + "x-amz-checksum-* or x-amz-trailer headers were found.");
        }
        if (sdk != null && sdk != chosen) {
            throw S3Exception.invalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
        }
        return chosen;
    }

    /** {@code x-amz-meta-*} headers, prefix removed. */
    static Map<String, String> metadata(S3Request r) {
        Map<String, String> meta = new LinkedHashMap<>();
        r.headers().forEach((k, v) -> {
            if (k.startsWith("x-amz-meta-")) {
                meta.put(k.substring("x-amz-meta-".length()), v);
            }
        });
        return meta;
    }

    static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw new S3Exception(400, "KeyTooLongError", "Your key is too long");
        }
    }
}
