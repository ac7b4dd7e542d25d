package org.fedoraproject.fedimg.testing.bundles;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.bundle.BundleKeys;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.BundleWriter;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.bundle.MachineConfiguration;
import org.fedoraproject.fedimg.bundle.ManifestWriter;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * Does the uploader's part for tests of the services downstream of it: bundles a small raw image in the EC2 AMI
 * tools' format, puts it into a bucket of the (emulated) account with {@code aws-exec-read}, laid out and tagged
 * as the uploader does (folder {@code fedimg/<name>/}, the given tags on every object and on the AMI, the bucket
 * tagged fedimg's), and registers an instance-store AMI from its manifest. Tags: at most 10 (S3's limit). The caller registers {@link TestSigner#certificate()}
 * with the emulator first.
 */
public final class InstanceStoreAmis {

    private static final int PART_SIZE = 64 * 1024;

    private final URI endpoint;
    private final String accountId;
    private final X509Certificate ec2Certificate;
    private final TestSigner signer;
    private final StaticCredentialsProvider credentials =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    public InstanceStoreAmis(URI endpoint, String accountId, X509Certificate ec2Certificate, TestSigner signer) {
        this.endpoint = endpoint;
        this.accountId = accountId;
        this.ec2Certificate = ec2Certificate;
        this.signer = signer;
    }

    /**
     * @param kernelId the AKI of a paravirtual AMI, or null for HVM
     * @return the new AMI's id
     */
    public String register(String region, String bucket, String name, String virtualizationType, String kernelId,
            byte[] raw, Map<String, String> tags) {
        try (S3AsyncClient s3 = S3AsyncClient.builder().region(Region.of(region)).endpointOverride(endpoint)
                .forcePathStyle(true).credentialsProvider(credentials).build();
                Ec2AsyncClient ec2 = Ec2AsyncClient.builder().region(Region.of(region)).endpointOverride(endpoint)
                        .credentialsProvider(credentials).build()) {
            s3.createBucket(b -> {
                b.bucket(bucket).objectOwnership(ObjectOwnership.OBJECT_WRITER);
                if (!"us-east-1".equals(region)) {
                    b.createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.fromValue(region)));
                }
            }).exceptionally(t -> null).join(); // already there: BucketAlreadyOwnedByYou
            s3.putBucketTagging(b -> b.bucket(bucket).tagging(tagging(Map.of(AwsTags.CREATED_BY,
                    AwsTags.CREATED_BY_VALUE, AwsTags.PURPOSE, "bundle-bucket")))).join();
            String folder = BundleNames.KEY_PREFIX + name + "/";
            Tagging objectTags = tagging(tags);
            BundleKeys keys = BundleKeys.random(new SecureRandom());
            BundleSpec spec = new BundleSpec(name, raw.length, Instant.now().getEpochSecond(), PART_SIZE, 1);
            BundledImage bundled = new BundleWriter(spec, keys, 2).write(new ByteArrayInputStream(raw),
                    part -> s3.putObject(p -> p.bucket(bucket).key(folder + part.fileName()).tagging(objectTags)
                            .acl(ObjectCannedACL.AWS_EXEC_READ), AsyncRequestBody.fromByteBuffer(part.data())));
            Map<String, String> devices = Map.of("ami", "sda1", "root", "/dev/sda1");
            MachineConfiguration machine = kernelId == null ? MachineConfiguration.hvm("x86_64", devices)
                    : MachineConfiguration.paravirtual("x86_64", kernelId, devices);
            String manifest = new ManifestWriter(ec2Certificate, signer.credentials()).write(accountId, machine,
                    bundled, keys);
            String key = folder + name + ".manifest.xml";
            s3.putObject(p -> p.bucket(bucket).key(key).tagging(objectTags).acl(ObjectCannedACL.AWS_EXEC_READ),
                    AsyncRequestBody.fromString(manifest, StandardCharsets.UTF_8)).join();
            String amiId = ec2.registerImage(b -> {
                b.name(name).imageLocation(bucket + "/" + key).architecture("x86_64")
                        .virtualizationType(virtualizationType);
                if (kernelId != null) {
                    b.kernelId(kernelId);
                }
            }).join().imageId();
            ec2.createTags(b -> b.resources(amiId).tags(tags.entrySet().stream()
                    .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())).join();
            return amiId;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tagging tagging(Map<String, String> tags) {
        return Tagging.builder().tagSet(tags.entrySet().stream()
                .map(e -> software.amazon.awssdk.services.s3.model.Tag.builder().key(e.getKey()).value(e.getValue())
                        .build()).toList()).build();
    }
}
