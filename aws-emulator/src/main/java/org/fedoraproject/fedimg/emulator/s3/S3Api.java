package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.emulator.http.HttpReply;

/**
 * The S3 front (REST-XML, path-style: {@code /bucket/key}): names the operation of a request as the SDK does
 * (call counts and faults use these names) and dispatches it to the handlers of buckets, objects and multipart
 * uploads. Every bucket belongs to the emulator's account: anonymous requests, and requests signed by another
 * (consumer) account, may only read objects, and only those whose ACL grants them READ (all users; for another
 * account also authenticated users), as AWS decides without a bucket policy, which the emulator does not model.
 */
public final class S3Api {

    /** One S3 operation. */
    @FunctionalInterface
    interface Handler {
        HttpReply handle(S3Request request) throws IOException;
    }

    /** What anonymous requests and other accounts may call. */
    private static final Set<String> OUTSIDERS = Set.of("GetObject", "HeadObject");

    private final Map<String, Handler> ops = new HashMap<>();
    private final String ownerAccount;

    public S3Api(S3Store store, Faults faults, Predicate<String> servedRegion) {
        this.ownerAccount = store.accountId();
        ObjectCalls objects = new ObjectCalls(store);
        new BucketCalls(store, faults, servedRegion).register(ops);
        objects.register(ops);
        new MultipartCalls(store, objects).register(ops);
    }

    /** The operation's name: {@code PutObject}, {@code CreateMultipartUpload}, {@code ListObjectsV2}, ... */
    public static String operation(S3Request r) {
        String m = r.method();
        if (r.bucket() == null) {
            return "GET".equals(m) ? "ListBuckets" : m + "Service";
        }
        if (r.key() == null) {
            return switch (m) {
                case "GET" -> r.has("location") ? "GetBucketLocation" : r.has("tagging") ? "GetBucketTagging"
                        : r.has("acl") ? "GetBucketAcl" : r.has("ownershipControls") ? "GetBucketOwnershipControls"
                        : r.has("publicAccessBlock") ? "GetPublicAccessBlock" : r.has("uploads")
                        ? "ListMultipartUploads" : "2".equals(r.query().get("list-type")) ? "ListObjectsV2"
                        : subresource(r, "ListObjects");
                case "PUT" -> r.has("tagging") ? "PutBucketTagging" : r.has("acl") ? "PutBucketAcl"
                        : r.has("ownershipControls") ? "PutBucketOwnershipControls"
                        : r.has("publicAccessBlock") ? "PutPublicAccessBlock" : subresource(r, "CreateBucket");
                case "HEAD" -> "HeadBucket";
                case "DELETE" -> r.has("tagging") ? "DeleteBucketTagging" : r.has("publicAccessBlock")
                        ? "DeletePublicAccessBlock" : subresource(r, "DeleteBucket");
                case "POST" -> r.has("delete") ? "DeleteObjects" : "PostBucket";
                default -> m + "Bucket";
            };
        }
        return switch (m) {
            case "GET" -> r.has("uploadId") ? "ListParts" : r.has("acl") ? "GetObjectAcl" : r.has("tagging")
                    ? "GetObjectTagging" : subresource(r, "GetObject");
            case "HEAD" -> "HeadObject";
            case "PUT" -> r.has("partNumber") && r.has("uploadId") ? "UploadPart" : r.has("acl") ? "PutObjectAcl"
                    : r.has("tagging") ? "PutObjectTagging" : r.header("x-amz-copy-source") != null ? "CopyObject"
                    : subresource(r, "PutObject");
            case "POST" -> r.has("uploads") ? "CreateMultipartUpload" : r.has("uploadId") ? "CompleteMultipartUpload"
                    : "PostObject";
            case "DELETE" -> r.has("uploadId") ? "AbortMultipartUpload" : r.has("tagging") ? "DeleteObjectTagging"
                    : subresource(r, "DeleteObject");
            default -> m + "Object";
        };
    }

    /** The plain operation, unless the request names a subresource the emulator does not serve (policy, cors, ...). */
    private static String subresource(S3Request r, String plain) {
        for (String q : r.query().keySet()) {
            if (!SERVED_PARAMETERS.contains(q) && !q.startsWith("response-") && !q.startsWith("x-")) {
                return plain + "?" + q;
            }
        }
        return plain;
    }

    private static final Set<String> SERVED_PARAMETERS = Set.of("prefix", "delimiter", "max-keys", "continuation-token",
            "start-after", "encoding-type", "fetch-owner", "list-type", "bucket-region", "max-buckets", "versionId",
            "partNumber", "uploadId", "max-parts", "part-number-marker");

    /** S3's error answer: the {@code <Error>} document and the exception's headers. */
    public static HttpReply error(S3Exception e, String requestId, String hostId) {
        HttpReply reply = S3Calls.xml(e.status(), S3Xml.error(e, requestId, hostId));
        e.headers().forEach(reply::header);
        return reply;
    }

    public HttpReply handle(String operation, S3Request r) throws IOException {
        Handler h = ops.get(operation);
        if (h == null) {
            throw S3Exception.notImplemented(operation);
        }
        if (r.outsider(ownerAccount) && !OUTSIDERS.contains(operation)) {
            throw S3Exception.accessDenied();
        }
        return h.handle(r);
    }
}
