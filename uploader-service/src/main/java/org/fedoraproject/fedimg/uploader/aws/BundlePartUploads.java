package org.fedoraproject.fedimg.uploader.aws;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.bundle.BundlePart;
import org.fedoraproject.fedimg.bundle.PartSink;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where {@code BundleWriter} hands each part: one PutObject per part, beside the manifest, with the
 * {@code aws-exec-read} canned ACL (EC2 reads the parts when it registers and launches the AMI), S3's SHA-1
 * checksum (S3 checks the body against it) and the janitor's tags. A part S3 already holds with the same SHA-1
 * (HeadObject with checksum mode) is skipped: that is how a re-run after a crash resumes without duplicates.
 * The SDK retries throttling and 5xx; nothing else is retried here.
 */
public final class BundlePartUploads implements PartSink {

    private final AwsClients aws;
    private final String region;
    private final String bucket;
    private final Function<BundlePart, String> keyOfPart;
    private final Map<String, String> tags;
    private final AtomicInteger uploaded = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();

    /**
     * @param keyOfPart the object key of a part (its folder plus {@link BundlePart#fileName()})
     */
    public BundlePartUploads(AwsClients aws, String region, String bucket,
            Function<BundlePart, String> keyOfPart, Map<String, String> tags) {
        this.aws = aws;
        this.region = region;
        this.bucket = bucket;
        this.keyOfPart = keyOfPart;
        this.tags = tags;
    }

    @Override
    public CompletionStage<?> accept(BundlePart part) {
        String key = keyOfPart.apply(part);
        HeadObjectRequest head = HeadObjectRequest.builder().bucket(bucket).key(key)
                .checksumMode(ChecksumMode.ENABLED).build();
        return aws.s3(region).headObject(head)
                .thenApply(h -> part.sha1Base64().equals(h.checksumSHA1()))
                .exceptionallyCompose(t -> AwsErrors.unwrap(t) instanceof S3Exception s && s.statusCode() == 404
                        ? CompletableFuture.completedFuture(false) : CompletableFuture.failedFuture(t))
                .thenCompose(stored -> {
                    if (stored) {
                        skipped.incrementAndGet();
                        return CompletableFuture.completedFuture(null);
                    }
                    PutObjectRequest put = PutObjectRequest.builder().bucket(bucket).key(key)
                            .acl(ObjectCannedACL.AWS_EXEC_READ)
                            .contentLength((long) part.size())
                            // the algorithm named as well as the value (x-amz-sdk-checksum-algorithm): S3 needs only
                            // the value, but other S3 implementations (moto) keep a checksum only when the algorithm
                            // is named, and without a stored checksum a resume cannot skip the part
                            .checksumAlgorithm(ChecksumAlgorithm.SHA1)
                            .checksumSHA1(part.sha1Base64())
                            .tagging(BundleBucket.tagging(tags))
                            .build();
                    // the part's buffer is reused only once this stage completes, so no copy is needed
                    return aws.s3(region).putObject(put, AsyncRequestBody.fromByteBufferUnsafe(part.data()))
                            .thenRun(uploaded::incrementAndGet);
                });
    }

    public int uploaded() {
        return uploaded.get();
    }

    public int skipped() {
        return skipped.get();
    }
}
