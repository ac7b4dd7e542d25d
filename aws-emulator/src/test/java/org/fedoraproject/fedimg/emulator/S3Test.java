package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

/**
 * What the emulator's S3 checks beyond what moto does (the shared scenarios are in {@link S3ConformanceScenarios}):
 * object ownership and the public access block of new buckets, regional endpoints, every integrity check of an
 * upload, anonymous reads, faults, and where objects live.
 */
class S3Test extends EmulatorTest {

    static S3AsyncClient s3(String region) {
        return sdk.s3(region);
    }

    static String code(Throwable t) {
        return S3ConformanceScenarios.code(t);
    }

    @Test
    void newBucketsHaveAclsDisabledAndBlockPublicAcls() throws Exception {
        s3(US_EAST_1).createBucket(b -> b.bucket("enforced")).join();
        assertThatThrownBy(() -> s3(US_EAST_1).putObject(b -> b.bucket("enforced").key("part")
                .acl(ObjectCannedACL.AWS_EXEC_READ), AsyncRequestBody.fromString("x")).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("AccessControlListNotSupported"));
        s3(US_EAST_1).putObject(b -> b.bucket("enforced").key("owned").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL),
                AsyncRequestBody.fromString("x")).join();

        s3(US_EAST_1).putBucketOwnershipControls(b -> b.bucket("enforced").ownershipControls(o -> o.rules(r -> r
                .objectOwnership(ObjectOwnership.OBJECT_WRITER)))).join();
        s3(US_EAST_1).putObject(b -> b.bucket("enforced").key("part").acl(ObjectCannedACL.AWS_EXEC_READ),
                AsyncRequestBody.fromString("x")).join();
        assertThatThrownBy(() -> s3(US_EAST_1).putObject(b -> b.bucket("enforced").key("public")
                .acl(ObjectCannedACL.PUBLIC_READ), AsyncRequestBody.fromString("x")).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("AccessDenied"));
        assertThat(anonymousGet("/enforced/part").statusCode()).isEqualTo(403);

        s3(US_EAST_1).deletePublicAccessBlock(b -> b.bucket("enforced")).join();
        s3(US_EAST_1).putObject(b -> b.bucket("enforced").key("public").acl(ObjectCannedACL.PUBLIC_READ),
                AsyncRequestBody.fromString("for everybody")).join();
        HttpResponse<String> anonymous = anonymousGet("/enforced/public");
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.body()).isEqualTo("for everybody");
        assertThat(anonymousGet("/enforced/part").statusCode()).isEqualTo(403);
        assertThat(aws.inspect().objects("enforced")).extracting(Views.S3Object::key, Views.S3Object::acl)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("owned", "bucket-owner-full-control"),
                        org.assertj.core.groups.Tuple.tuple("part", "aws-exec-read"),
                        org.assertj.core.groups.Tuple.tuple("public", "public-read"));
    }

    @Test
    void bucketNamesAreGlobalAndEndpointsRegional() {
        s3(US_EAST_1).createBucket(b -> b.bucket("virginia")).join();
        s3(US_EAST_1).createBucket(b -> b.bucket("virginia")).join(); // us-east-1 answers 200 to its owner
        s3(US_EAST_1).createBucket(b -> b.bucket("dublin").createBucketConfiguration(c -> c.locationConstraint(EU_WEST_1)))
                .join(); // the us-east-1 endpoint creates buckets anywhere
        assertThat(aws.inspect().bucket("dublin").orElseThrow().region()).isEqualTo(EU_WEST_1);
        assertThatThrownBy(() -> s3(EU_WEST_1).createBucket(b -> b.bucket("oregon").createBucketConfiguration(c -> c
                .locationConstraint("us-west-2"))).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("IllegalLocationConstraintException"));
        assertThatThrownBy(() -> s3(US_EAST_1).createBucket(b -> b.bucket("explicit").createBucketConfiguration(c -> c
                .locationConstraint("us-east-1"))).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidLocationConstraint"));
        assertThatThrownBy(() -> s3(US_EAST_1).putObject(b -> b.bucket("dublin").key("k"),
                AsyncRequestBody.fromString("x")).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("AuthorizationHeaderMalformed"));
        aws.faults().bucketOwnedElsewhere("taken");
        assertThatThrownBy(() -> s3(US_EAST_1).createBucket(b -> b.bucket("taken")).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("BucketAlreadyExists"));
        assertThatThrownBy(() -> s3(US_EAST_1).createBucket(b -> b.bucket("xn--fedimg")).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidBucketName"));
    }

    @Test
    void uploadsMustMatchWhatTheyClaim() throws Exception {
        s3(US_EAST_1).createBucket(b -> b.bucket("checked")).join();
        byte[] data = "the bytes of a part".getBytes(StandardCharsets.UTF_8);
        String md5 = b64(digest("MD5", data));
        assertThat(put("/checked/md5", data, Map.of("Content-MD5", md5)).statusCode()).isEqualTo(200);
        assertThat(put("/checked/md5", data, Map.of("Content-MD5", b64(digest("MD5", new byte[1]))))
                .body()).contains("<Code>BadDigest</Code>");
        assertThat(put("/checked/md5", data, Map.of("Content-MD5", "not-md5")).body())
                .contains("<Code>InvalidDigest</Code>");
        assertThat(put("/checked/sha1", data, Map.of("x-amz-checksum-sha1", b64(digest("SHA-1", new byte[1]))))
                .body()).contains("<Code>BadDigest</Code>").contains("SHA1");
        assertThat(put("/checked/sha256", data, Map.of("x-amz-content-sha256", "0".repeat(64))).body())
                .contains("<Code>XAmzContentSHA256Mismatch</Code>");

        String goodCrc = crc32(data);
        Map<String, String> chunked = Map.of("Content-Encoding", "aws-chunked", "x-amz-content-sha256",
                "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-trailer", "x-amz-checksum-crc32",
                "x-amz-decoded-content-length", Integer.toString(data.length));
        assertThat(put("/checked/trailer", awsChunked(data, goodCrc), chunked).statusCode()).isEqualTo(200);
        assertThat(put("/checked/trailer", awsChunked(data, crc32(new byte[1])), chunked).body())
                .contains("<Code>BadDigest</Code>").contains("CRC32");
        Map<String, String> longer = new java.util.HashMap<>(chunked);
        longer.put("x-amz-decoded-content-length", Integer.toString(data.length + 1));
        assertThat(put("/checked/trailer", awsChunked(data, goodCrc), longer).body())
                .contains("<Code>IncompleteBody</Code>");
        assertThat(aws.inspect().objects("checked")).extracting(Views.S3Object::key).containsExactly("md5", "trailer");
    }

    /**
     * Without a checksum of its own (the SDK with {@code WHEN_REQUIRED}), an object gets S3's default CRC64NVME,
     * which checksum mode returns and the SDK, without CRT, leaves unchecked.
     */
    @Test
    void objectsWithoutAChecksumGetS3sDefault() {
        try (S3AsyncClient plain = S3AsyncClient.builder().region(Region.US_EAST_1).endpointOverride(aws.endpoint())
                .forcePathStyle(true).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            plain.createBucket(b -> b.bucket("plain")).join();
            plain.putObject(b -> b.bucket("plain").key("k"), AsyncRequestBody.fromString("123456789")).join();
            var head = plain.headObject(b -> b.bucket("plain").key("k").checksumMode(ChecksumMode.ENABLED)).join();
            // CRC-64/NVME's check value: 0xae8b14860a799888
            assertThat(Base64.getDecoder().decode(head.checksumCRC64NVME())).isEqualTo(
                    java.util.HexFormat.of().parseHex("ae8b14860a799888"));
            assertThat(plain.getObject(b -> b.bucket("plain").key("k").checksumMode(ChecksumMode.ENABLED),
                    AsyncResponseTransformer.toBytes()).join().asUtf8String()).isEqualTo("123456789");
        }
    }

    @Test
    void multipartRulesAndLeakCounting() {
        s3(EU_WEST_1).createBucket(b -> b.bucket("parts").createBucketConfiguration(c -> c.locationConstraint(EU_WEST_1)))
                .join();
        String id = s3(EU_WEST_1).createMultipartUpload(b -> b.bucket("parts").key("small")).join().uploadId();
        String one = s3(EU_WEST_1).uploadPart(b -> b.bucket("parts").key("small").uploadId(id).partNumber(1),
                AsyncRequestBody.fromString("too small to be anything but the last part")).join().eTag();
        String two = s3(EU_WEST_1).uploadPart(b -> b.bucket("parts").key("small").uploadId(id).partNumber(2),
                AsyncRequestBody.fromString("last")).join().eTag();
        assertThatThrownBy(() -> s3(EU_WEST_1).completeMultipartUpload(b -> b.bucket("parts").key("small").uploadId(id)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(one), p -> p.partNumber(2).eTag(two)))).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("EntityTooSmall"));
        assertThatThrownBy(() -> s3(EU_WEST_1).completeMultipartUpload(b -> b.bucket("parts").key("small").uploadId(id)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag("\"0\"")))).join())
                .satisfies(t -> assertThat(code(t)).isEqualTo("InvalidPart"));
        assertThat(aws.inspect().liveResources()).satisfies(l -> {
            assertThat(l.buckets()).isEqualTo(1);
            assertThat(l.multipartUploads()).isEqualTo(1);
            assertThat(l.none()).isFalse();
        });
        aws.faults().failCall("AbortMultipartUpload", 1, "SlowDown");
        assertThatThrownBy(() -> s3(EU_WEST_1).abortMultipartUpload(b -> b.bucket("parts").key("small").uploadId(id))
                .join()).satisfies(t -> assertThat(code(t)).isEqualTo("SlowDown"));
        s3(EU_WEST_1).abortMultipartUpload(b -> b.bucket("parts").key("small").uploadId(id)).join();
        assertThat(aws.inspect().callCount("AbortMultipartUpload", EU_WEST_1)).isEqualTo(2);
        assertThatThrownBy(() -> s3(EU_WEST_1).abortMultipartUpload(b -> b.bucket("parts").key("small").uploadId(id))
                .join()).satisfies(t -> assertThat(code(t)).isEqualTo("NoSuchUpload"));
        assertThat(aws.inspect().liveResources().multipartUploads()).isZero();
    }

    @Test
    void objectBytesLiveInTheWorkDirUntilReset() throws IOException {
        s3(US_EAST_1).createBucket(b -> b.bucket("files")).join();
        s3(US_EAST_1).putObject(b -> b.bucket("files").key("k"), AsyncRequestBody.fromBytes(new byte[100_000])).join();
        try (var files = Files.list(aws.workDir().resolve("s3"))) {
            assertThat(files.count()).isEqualTo(1);
        }
        aws.reset();
        try (var files = Files.list(aws.workDir().resolve("s3"))) {
            assertThat(files.count()).isZero();
        }
        assertThat(aws.inspect().buckets()).isEmpty();
    }

    // ---- raw requests, to send what the SDK never would ----

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> put(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(aws.endpoint() + path))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host, Signature=0");
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> anonymousGet(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(aws.endpoint() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One data chunk, the final chunk, the checksum trailer: what the SDK sends by default. */
    private static byte[] awsChunked(byte[] data, String crc32) {
        String head = Integer.toHexString(data.length) + "\r\n";
        String tail = "\r\n0\r\nx-amz-checksum-crc32:" + crc32 + "\r\n\r\n";
        byte[] out = new byte[head.length() + data.length + tail.length()];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, out, 0, head.length());
        System.arraycopy(data, 0, out, head.length(), data.length);
        System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, out, head.length() + data.length, tail.length());
        return out;
    }

    private static String crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return b64(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
