package org.fedoraproject.fedimg.uploader.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.bundle.BundleManifest;
import org.fedoraproject.fedimg.bundle.BundlePlan;
import org.fedoraproject.fedimg.bundle.BundleReader;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.bundle.MachineConfiguration;
import org.fedoraproject.fedimg.bundle.ManifestWriter;
import org.fedoraproject.fedimg.bundle.PartInfo;
import org.fedoraproject.fedimg.emulator.junit.MotoServer;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The uploader's bundle upload step (issue 22) against moto's S3 instead of the emulator: {@link BundleBucket}
 * (create in a region with a LocationConstraint, ACLs enabled, tags), {@link BundlePlans} (the signed plan, create
 * only), {@code ami-bundle}'s writer into {@link BundlePartUploads} (one PutObject per part with
 * {@code aws-exec-read}, SHA-1 checksum and tags) and {@link BundleManifests}, with the production
 * {@link AwsClients}. Then what S3 holds is read back as EC2 would and compared with the image, and a second run
 * (a resume) finds the plan and every part and uploads nothing. Skipped, with the reason, where moto is absent.
 */
class BundleUploadMotoTest {

    /** Outside us-east-1, so CreateBucket carries a LocationConstraint. */
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";
    private static final int PART_SIZE = 64 * 1024;
    /** EC2's canonical user ("za-team"), to which {@code aws-exec-read} grants READ. */
    private static final String EC2_CANONICAL_USER = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";

    private static MotoServer moto;
    private static AwsClients aws;
    /** The canned ACL each PutObject carried, by key, as the SDK sent it. */
    private static final Map<String, String> SENT_ACL = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        String missing = MotoServer.unavailableReason();
        Assumptions.assumeTrue(missing == null, () -> "moto bundle upload skipped: " + missing);
        moto = MotoServer.start();
        aws = new AwsClients(AwsConfig.of(REGION, moto.endpoint()).withTimeouts(Duration.ofSeconds(30),
                Duration.ofMinutes(2)), new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof PutObjectRequest put) {
                            SENT_ACL.put(put.key(), put.aclAsString() == null ? "none" : put.aclAsString());
                        }
                    }

                    /** moto's server answers "Expect: 100-continue" wrongly; the emulator's moto tests drop it too. */
                    @Override
                    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                            ExecutionAttributes attributes) {
                        return context.httpRequest().toBuilder().removeHeader("Expect").build();
                    }
                });
    }

    @AfterAll
    static void stop() {
        if (aws != null) {
            aws.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void aBundleUploadsToMotoAsToS3AndAResumeUploadsNothing() throws Exception {
        TestSigner user = TestSigner.issue("fedimg-moto-user");
        TestSigner ec2 = TestSigner.issue("stands-in-for-ec2");
        String bucket = "fedimg-bundles-" + ACCOUNT + "-" + REGION;
        String folder = "fedimg/Fedora-Cloud-Base-41.x86_64/";
        Map<String, String> tags = Map.of(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE, AwsTags.PURPOSE, "bundle",
                AwsTags.IMAGE_KEY, "Fedora-Cloud-41/Fedora-Cloud-Base-41.x86_64.raw.xz");
        Map<String, String> bucketTags = Map.of(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE, AwsTags.PURPOSE,
                "bundle-bucket");
        byte[] image = image(600_000);

        BundleBucket buckets = new BundleBucket(aws);
        buckets.ensure(REGION, bucket, bucketTags).await().atMost(Duration.ofMinutes(1));
        buckets.ensure(REGION, bucket, bucketTags).await().atMost(Duration.ofMinutes(1)); // found: nothing new
        S3AsyncClient s3 = aws.s3(REGION);
        assertThat(s3.getBucketLocation(b -> b.bucket(bucket)).join().locationConstraintAsString()).isEqualTo(REGION);
        assertThat(s3.getBucketOwnershipControls(b -> b.bucket(bucket)).join().ownershipControls().rules())
                .extracting(r -> r.objectOwnershipAsString()).containsExactly("ObjectWriter");
        assertThat(s3.getBucketTagging(b -> b.bucket(bucket)).join().tagSet()).extracting(Tag::key, Tag::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(AwsTags.CREATED_BY, "fedimg"),
                        org.assertj.core.groups.Tuple.tuple(AwsTags.PURPOSE, "bundle-bucket"));

        BundleSpec spec = new BundleSpec("Fedora-Cloud-Base-41.x86_64.raw", image.length, 1_733_000_000L, PART_SIZE,
                BundleSpec.GZIP_LEVEL);
        String planKey = folder + "Fedora-Cloud-Base-41.x86_64.bundle-plan";
        BundlePlan plan = new BundlePlans(aws, user.credentials()).ensure(REGION, bucket, planKey, spec, "sha256:abc",
                tags).await().atMost(Duration.ofMinutes(1));
        BundlePartUploads sink = new BundlePartUploads(aws, REGION, bucket, p -> folder + p.fileName(), tags);
        BundledImage bundled = plan.writer(3).write(new ByteArrayInputStream(image), sink);
        assertThat(bundled.parts()).hasSizeGreaterThan(5);
        assertThat(sink.uploaded()).isEqualTo(bundled.parts().size());
        String manifestKey = folder + "Fedora-Cloud-Base-41.x86_64-hvm-instance-store-0.manifest.xml";
        String manifestXml = new ManifestWriter(ec2.certificate(), user.credentials()).write(ACCOUNT,
                MachineConfiguration.hvm("x86_64", Map.of("ami", "sda1", "root", "/dev/sda1")), bundled, plan.keys());
        new BundleManifests(aws).put(REGION, bucket, manifestKey, manifestXml, tags).await().atMost(Duration.ofMinutes(1));

        // the listing (pages of 4, so the SDK follows continuation tokens): plan, parts, manifest, each once
        List<String> listed = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder).maxKeys(4))
                .subscribe(page -> page.contents().stream().map(S3Object::key).forEach(listed::add)).join();
        TreeSet<String> expected = new TreeSet<>(List.of(planKey, manifestKey));
        bundled.parts().forEach(p -> expected.add(folder + p.fileName()));
        assertThat(listed).doesNotHaveDuplicates().containsExactlyElementsOf(expected); // S3 lists in key order

        for (PartInfo p : bundled.parts()) {
            String key = folder + p.fileName();
            var head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED)).join();
            assertThat(head.checksumSHA1()).as(key)
                    .isEqualTo(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(p.sha1Hex())));
            assertReadableByEc2(s3, bucket, key);
            assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key(key)).join().tagSet())
                    .extracting(Tag::key, Tag::value).containsExactlyInAnyOrderElementsOf(tags.entrySet().stream()
                            .map(e -> org.assertj.core.groups.Tuple.tuple(e.getKey(), e.getValue())).toList());
        }
        assertReadableByEc2(s3, bucket, manifestKey);
        assertThat(SENT_ACL).containsEntry(planKey, "none"); // the plan holds the sealed key: private
        assertThat(s3.getObjectAcl(b -> b.bucket(bucket).key(planKey)).join().grants())
                .noneMatch(g -> EC2_CANONICAL_USER.equals(g.grantee().id()) || g.grantee().uri() != null);

        // read back as EC2 does: the manifest verified with the account's certificate, each part checked, decrypted
        BundleManifest manifest = BundleManifest.read(get(s3, bucket, manifestKey), user.certificate());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = BundleReader.open(manifest, manifest.ec2Keys(ec2.keys().getPrivate()),
                file -> new ByteArrayInputStream(get(s3, bucket, folder + file)))) {
            in.transferTo(out);
        }
        assertThat(out.toByteArray()).isEqualTo(image);
        assertThat(new String(get(s3, bucket, manifestKey), StandardCharsets.UTF_8)).isEqualTo(manifestXml);

        // a re-run (what a restart after a crash does): the stored plan is read back and every part is found
        BundlePlan again = new BundlePlans(aws, user.credentials()).ensure(REGION, bucket, planKey, spec, "sha256:abc",
                tags).await().atMost(Duration.ofMinutes(1));
        assertThat(again.keys()).isEqualTo(plan.keys());
        BundlePartUploads resume = new BundlePartUploads(aws, REGION, bucket, p -> folder + p.fileName(), tags);
        BundledImage rebundled = again.writer(3).write(new ByteArrayInputStream(image), resume);
        assertThat(rebundled.parts()).isEqualTo(bundled.parts());
        assertThat(resume.uploaded()).isZero();
        assertThat(resume.skipped()).isEqualTo(bundled.parts().size());
        assertThat(new BundleManifests(aws).exists(REGION, bucket, manifestKey).await().atMost(Duration.ofMinutes(1)))
                .isTrue();
    }

    /**
     * The canned ACL EC2 needs: {@code aws-exec-read} on the wire, and what S3 keeps of it. moto 5.2 stores that
     * canned ACL as the owner's grant alone (its TODO; the emulator grants EC2's canonical user READ, as S3 does),
     * so any grant beyond the owner's must be EC2's READ.
     */
    private static void assertReadableByEc2(S3AsyncClient s3, String bucket, String key) {
        assertThat(SENT_ACL).containsEntry(key, "aws-exec-read");
        var acl = s3.getObjectAcl(b -> b.bucket(bucket).key(key)).join();
        List<Grant> grants = acl.grants();
        assertThat(grants).anySatisfy(g -> {
            assertThat(g.grantee().id()).isEqualTo(acl.owner().id());
            assertThat(g.permissionAsString()).isEqualTo("FULL_CONTROL");
        });
        assertThat(grants).filteredOn(g -> !acl.owner().id().equals(g.grantee().id())).allSatisfy(g -> {
            assertThat(g.grantee().id()).isEqualTo(EC2_CANONICAL_USER);
            assertThat(g.permissionAsString()).isEqualTo("READ");
        });
    }

    private static byte[] get(S3AsyncClient s3, String bucket, String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join().asByteArray();
    }

    /** A disk-like image: random 64 KiB blocks between runs of zeros (gzip shrinks it, the parts still differ). */
    private static byte[] image(int size) {
        byte[] b = new byte[size];
        Random r = new Random(22);
        for (int off = 0; off < size; off += 128 * 1024) {
            byte[] noise = new byte[Math.min(64 * 1024, size - off)];
            r.nextBytes(noise);
            System.arraycopy(noise, 0, b, off, noise.length);
        }
        return b;
    }
}
