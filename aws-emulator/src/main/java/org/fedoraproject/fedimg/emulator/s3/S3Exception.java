package org.fedoraproject.fedimg.emulator.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An S3 error answer: HTTP status, AWS's code and message, and the extra elements S3 puts beside them
 * ({@code Key}, {@code BucketName}, {@code Region}, {@code Condition}, ...), plus response headers such as
 * {@code x-amz-bucket-region}.
 */
public final class S3Exception extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, String> details = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public S3Exception(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Elements of the error document after {@code Message}. */
    public Map<String, String> details() {
        return details;
    }

    public Map<String, String> headers() {
        return headers;
    }

    S3Exception with(String element, String value) {
        if (value != null) {
            details.put(element, value);
        }
        return this;
    }

    S3Exception header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    static S3Exception noSuchBucket(String bucket) {
        return new S3Exception(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket);
    }

    static S3Exception noSuchKey(String key) {
        return new S3Exception(404, "NoSuchKey", "The specified key does not exist.").with("Key", key);
    }

    static S3Exception noSuchUpload(String uploadId) {
        return new S3Exception(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be "
                + "invalid, or the upload may have been aborted or completed.").with("UploadId", uploadId);
    }

    static S3Exception accessDenied() {
        return new S3Exception(403, "AccessDenied", "Access Denied");
    }

    static S3Exception invalidArgument(String message, String name, String value) {
        return new S3Exception(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value);
    }

    static S3Exception invalidRequest(String message) {
        return new S3Exception(400, "InvalidRequest", message);
    }

    static S3Exception malformedXml() {
        return new S3Exception(400, "MalformedXML", "The XML you provided was not well-formed or did not validate "
                + "against our published schema");
    }

    static S3Exception notImplemented(String what) {
        return new S3Exception(501, "NotImplemented", "A header or query you provided implies functionality that is "
                + "not implemented (by this emulator: " + what + ")");
    }
}
