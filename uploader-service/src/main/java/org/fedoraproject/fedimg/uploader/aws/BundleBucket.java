package org.fedoraproject.fedimg.uploader.aws;

import java.util.Map;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.CreateBucketConfiguration;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.PutBucketTaggingRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The region's bundle bucket, created when missing: in that region, with object ownership {@code ObjectWriter}
 * (new buckets have ACLs disabled, and the parts need the {@code aws-exec-read} canned ACL for EC2 to read
 * them), then tagged for the janitor. Tagging again on every run is idempotent, and heals a bucket a crash left
 * untagged.
 */
public final class BundleBucket {

    private static final Logger LOG = Logger.getLogger(BundleBucket.class);
    /** The one region whose buckets are created without a LocationConstraint (S3 refuses it there). */
    private static final String US_EAST_1 = "us-east-1";

    private final AwsClients aws;

    public BundleBucket(AwsClients aws) {
        this.aws = aws;
    }

    public Uni<Void> ensure(String region, String bucket, Map<String, String> tags) {
        return Uni.createFrom().completionStage(() -> aws.s3(region).headBucket(HeadBucketRequest.builder().bucket(bucket).build()))
                .replaceWith(false)
                .onFailure(BundleBucket::missing).recoverWithItem(true)
                .chain(missing -> missing ? create(region, bucket) : Uni.createFrom().voidItem())
                .chain(() -> tag(region, bucket, tags));
    }

    private Uni<Void> create(String region, String bucket) {
        CreateBucketRequest.Builder req = CreateBucketRequest.builder().bucket(bucket)
                .objectOwnership(ObjectOwnership.OBJECT_WRITER);
        if (!US_EAST_1.equals(region)) {
            req.createBucketConfiguration(CreateBucketConfiguration.builder()
                    .locationConstraint(BucketLocationConstraint.fromValue(region)).build());
        }
        CreateBucketRequest request = req.build();
        return Uni.createFrom().completionStage(() -> aws.s3(region).createBucket(request))
                .invoke(() -> LOG.infof("created bundle bucket %s in %s", bucket, region))
                .replaceWithVoid()
                // a concurrent job (another image, another replica) created it first
                .onFailure(t -> AwsErrors.hasCode(t, "BucketAlreadyOwnedByYou")).recoverWithNull();
    }

    private Uni<Void> tag(String region, String bucket, Map<String, String> tags) {
        PutBucketTaggingRequest req = PutBucketTaggingRequest.builder().bucket(bucket)
                .tagging(tagging(tags)).build();
        return Uni.createFrom().completionStage(() -> aws.s3(region).putBucketTagging(req)).replaceWithVoid();
    }

    static Tagging tagging(Map<String, String> tags) {
        return Tagging.builder().tagSet(tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()).build();
    }

    private static boolean missing(Throwable t) {
        return AwsErrors.unwrap(t) instanceof S3Exception s && s.statusCode() == 404;
    }
}
