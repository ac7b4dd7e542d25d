package org.fedoraproject.fedimg.uploader.aws;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.function.Supplier;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.bundle.BundlePlan;
import org.fedoraproject.fedimg.bundle.BundlePlanException;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.UserCredentials;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The bundle's plan (spec, image id, key and IV sealed for our certificate, signed: ami-bundle README, "Resume"),
 * stored beside the parts before the first part, so that a re-run makes byte-identical parts. A stored plan
 * for this image, readable with our credentials, is used; none is created with {@code If-None-Match: *} (a
 * concurrent run that won the race has its plan read back); one that cannot be used (another image, format or
 * certificate) is replaced, and every part is then uploaded again.
 */
public final class BundlePlans {

    private static final Logger LOG = Logger.getLogger(BundlePlans.class);

    private final AwsClients aws;
    private final UserCredentials user;
    private final SecureRandom random = new SecureRandom();

    public BundlePlans(AwsClients aws, UserCredentials user) {
        this.aws = aws;
        this.user = user;
    }

    public Uni<BundlePlan> ensure(String region, String bucket, String key, BundleSpec spec, String imageId,
            Map<String, String> tags) {
        return read(region, bucket, key).chain(stored -> {
            if (stored != null) {
                try {
                    BundlePlan plan = BundlePlan.decode(stored, user);
                    if (plan.imageId().equals(imageId) && plan.spec().imageSize() == spec.imageSize()
                            && plan.spec().name().equals(spec.name())) {
                        LOG.infof("resuming the bundle of %s with its stored plan s3://%s/%s", imageId, bucket, key);
                        return Uni.createFrom().item(plan);
                    }
                    LOG.warnf("the bundle plan s3://%s/%s is for %s, not %s: starting the bundle over", bucket, key,
                            plan.imageId(), imageId);
                } catch (BundlePlanException e) {
                    LOG.warnf("the bundle plan s3://%s/%s cannot be used (%s): starting the bundle over", bucket, key,
                            e.getMessage());
                }
                return write(region, bucket, key, BundlePlan.create(spec, imageId, random), tags, false);
            }
            BundlePlan fresh = BundlePlan.create(spec, imageId, random);
            return write(region, bucket, key, fresh, tags, true)
                    // another run stored its plan between our read and our write: use that one
                    .onFailure(BundlePlans::preconditionFailed).recoverWithUni(() -> read(region, bucket, key)
                            .map(text -> decodeOrFail(text, bucket, key)));
        });
    }

    private BundlePlan decodeOrFail(String text, String bucket, String key) {
        try {
            return BundlePlan.decode(text, user);
        } catch (BundlePlanException e) {
            throw new IllegalStateException("the bundle plan s3://" + bucket + "/" + key + " another run stored cannot "
                    + "be used: " + e.getMessage(), e);
        }
    }

    private Uni<BundlePlan> write(String region, String bucket, String key, BundlePlan plan, Map<String, String> tags,
            boolean onlyIfAbsent) {
        PutObjectRequest.Builder req = PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType("text/plain; charset=utf-8")
                .tagging(BundleBucket.tagging(tags));
        if (onlyIfAbsent) {
            req.ifNoneMatch("*");
        }
        PutObjectRequest request = req.build();
        byte[] body = plan.encode(user).getBytes(StandardCharsets.UTF_8);
        return Uni.createFrom().completionStage(() -> aws.s3(region).putObject(request, AsyncRequestBody.fromBytes(body)))
                .replaceWith(plan);
    }

    /** The stored plan's text, or null when there is none. */
    private Uni<String> read(String region, String bucket, String key) {
        GetObjectRequest req = GetObjectRequest.builder().bucket(bucket).key(key).build();
        Supplier<java.util.concurrent.CompletableFuture<String>> get = () -> aws.s3(region)
                .getObject(req, AsyncResponseTransformer.toBytes())
                .thenApply(b -> b.asString(StandardCharsets.UTF_8));
        return Uni.createFrom().completionStage(get)
                .onFailure(t -> AwsErrors.unwrap(t) instanceof S3Exception s && s.statusCode() == 404).recoverWithNull();
    }

    private static boolean preconditionFailed(Throwable t) {
        return AwsErrors.unwrap(t) instanceof S3Exception s && s.statusCode() == 412;
    }
}
