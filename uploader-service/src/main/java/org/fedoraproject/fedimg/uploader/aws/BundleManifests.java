package org.fedoraproject.fedimg.uploader.aws;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A bundle's signed manifest, put last (as {@code ec2-upload-bundle} does) and only after the download's size
 * and SHA-256 matched: a manifest in S3 therefore means a complete, verified bundle, and a re-run that finds
 * every manifest skips the bundling. {@code aws-exec-read}, as the parts.
 */
public final class BundleManifests {

    private final AwsClients aws;

    public BundleManifests(AwsClients aws) {
        this.aws = aws;
    }

    public Uni<Boolean> exists(String region, String bucket, String key) {
        return Uni.createFrom().completionStage(() -> aws.s3(region)
                        .headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build()))
                .replaceWith(true)
                .onFailure(t -> AwsErrors.unwrap(t) instanceof S3Exception s && s.statusCode() == 404)
                .recoverWithItem(false);
    }

    public Uni<Void> put(String region, String bucket, String key, String manifestXml, Map<String, String> tags) {
        PutObjectRequest req = PutObjectRequest.builder().bucket(bucket).key(key)
                .acl(ObjectCannedACL.AWS_EXEC_READ)
                .contentType("text/xml")
                .tagging(BundleBucket.tagging(tags))
                .build();
        byte[] body = manifestXml.getBytes(StandardCharsets.UTF_8);
        return Uni.createFrom().completionStage(() -> aws.s3(region).putObject(req, AsyncRequestBody.fromBytes(body)))
                .replaceWithVoid();
    }
}
