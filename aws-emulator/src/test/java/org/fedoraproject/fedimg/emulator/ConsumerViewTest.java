package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;

/**
 * DescribeImages as another account sees Fedora's AMIs: a consumer such as Terraform's {@code aws_ami} data
 * source, signed with an access key the emulator maps to account 210987654321, looking for images owned by
 * Fedora's account 125523088429 by name with {@code most_recent}; and what that account may read in Fedora's S3.
 */
class ConsumerViewTest {

    static final String FEDORA = "125523088429";
    static final String CONSUMER = "210987654321";
    static final String REGION = "us-east-1";

    static AwsEmulator aws;
    static Sdk owner;
    static Sdk consumer;

    @BeforeAll
    static void start() {
        aws = AwsEmulator.builder().regions(List.of(REGION)).accountId(FEDORA).account("AKIACONSUMER", CONSUMER)
                .build().start();
        owner = new Sdk(aws.endpoint());
        consumer = new Sdk(aws.endpoint(), 1, "AKIACONSUMER");
    }

    @AfterEach
    void reset() {
        aws.reset();
    }

    @AfterAll
    static void stop() {
        owner.close();
        consumer.close();
        aws.close();
    }

    @Test
    void terraformsLookupFindsTheNewestPublicAmiAndNeverAPrivateOrDeprecatedOne() throws Exception {
        String snap = owner.uploadSnapshot(REGION, 1, Map.of(0, Sdk.block(0)), Map.of());
        String older = publicImage("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4", snap);
        Thread.sleep(5);
        String newest = publicImage("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.5", snap);
        Thread.sleep(5);
        String privateOne = owner.ec2(REGION).registerImage(Sdk.fedoraRegistration(
                "Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.6", snap)).join().imageId();
        String otherArch = publicImage("Fedora-Cloud-Base-AmazonEC2.aarch64-41-1.5", snap);
        String deprecated = publicImage("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.7", snap);
        owner.ec2(REGION).enableImageDeprecation(r -> r.imageId(deprecated).deprecateAt(Instant.now())).join();
        Thread.sleep(5);

        // data "aws_ami" { most_recent = true, owners = [FEDORA], filter name/root-device-type/virtualization-type }
        DescribeImagesRequest terraform = DescribeImagesRequest.builder().owners(FEDORA).filters(
                filter("name", "Fedora-Cloud-Base-AmazonEC2.x86_64-41-*"), filter("root-device-type", "ebs"),
                filter("virtualization-type", "hvm")).build();
        List<Image> found = consumer.ec2(REGION).describeImages(terraform).join().images();
        assertThat(found).extracting(Image::imageId).containsExactlyInAnyOrder(older, newest);
        assertThat(mostRecent(found)).isEqualTo(newest);
        // The owner sees its private and deprecated ones too.
        assertThat(owner.ec2(REGION).describeImages(terraform).join().images()).extracting(Image::imageId)
                .containsExactlyInAnyOrder(older, newest, privateOne, deprecated);
        // A consumer sees a deprecated AMI when it asks for deprecated ones, or names it.
        assertThat(consumer.ec2(REGION).describeImages(terraform.toBuilder().includeDeprecated(true).build()).join()
                .images()).extracting(Image::imageId).contains(deprecated);
        assertThat(consumer.ec2(REGION).describeImages(r -> r.imageIds(deprecated)).join().images()).hasSize(1);
        assertThat(consumer.ec2(REGION).describeImages(r -> r.owners(FEDORA).filters(filter("architecture", "arm64")))
                .join().images()).extracting(Image::imageId).containsExactly(otherArch);
        assertThatThrownBy(() -> consumer.ec2(REGION).describeImages(r -> r.imageIds(privateOne)).join())
                .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("InvalidAMIID.NotFound"));
    }

    @Test
    void ownersSelfAndAmazonAndSharingAsTheConsumerSeesThem() {
        String snap = owner.uploadSnapshot(REGION, 1, Map.of(0, Sdk.block(0)), Map.of());
        String shared = owner.ec2(REGION).registerImage(Sdk.fedoraRegistration("Fedora-shared", snap)).join()
                .imageId();
        owner.ec2(REGION).createTags(r -> r.resources(shared).tags(Tag.builder().key("fedimg:stream").value("rawhide")
                .build())).join();
        Ec2AsyncClient ec2 = consumer.ec2(REGION);
        assertThat(ec2.describeImages(r -> r.owners(FEDORA)).join().images()).isEmpty();
        owner.ec2(REGION).modifyImageAttribute(r -> r.imageId(shared).launchPermission(p -> p.add(
                LaunchPermission.builder().userId(CONSUMER).build()))).join();
        Image seen = ec2.describeImages(r -> r.owners(FEDORA)).join().images().get(0);
        assertThat(seen.imageId()).isEqualTo(shared);
        assertThat(seen.ownerId()).isEqualTo(FEDORA);
        assertThat(seen.tags()).as("tags stay with the owner").isEmpty();
        assertThat(ec2.describeImages(r -> r.filters(filter("tag:fedimg:stream", "rawhide"))).join().images())
                .isEmpty();
        assertThat(ec2.describeImages(r -> r.executableUsers("self")).join().images()).hasSize(1);
        assertThat(ec2.describeImages(r -> r.owners("self")).join().images()).as("the consumer owns none").isEmpty();
        assertThat(ec2.describeImages(r -> r.owners("amazon")).join().images()).isEmpty();
        assertThat(owner.ec2(REGION).describeImages(r -> r.owners("self")).join().images()).hasSize(1);
        // A consumer may look, not change.
        assertThatThrownBy(() -> ec2.deregisterImage(r -> r.imageId(shared)).join())
                .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("UnauthorizedOperation"));
        assertThat(aws.inspect().image(REGION, shared)).isPresent();
    }

    @Test
    void theConsumerSeesPublicAndSharedSnapshotsOnly() {
        String pub = owner.uploadSnapshot(REGION, 1, Map.of(0, Sdk.block(0)), Map.of());
        owner.uploadSnapshot(REGION, 1, Map.of(0, Sdk.block(1)), Map.of());
        owner.ec2(REGION).modifySnapshotAttribute(r -> r.snapshotId(pub).attribute("createVolumePermission")
                .operationType("add").groupNames("all")).join();
        assertThat(consumer.ec2(REGION).describeSnapshots(r -> r.ownerIds(FEDORA)).join().snapshots())
                .extracting(s -> s.snapshotId()).containsExactly(pub);
        owner.ec2(REGION).enableSnapshotBlockPublicAccess(r -> r.state("block-all-sharing")).join();
        assertThat(consumer.ec2(REGION).describeSnapshots(r -> r.ownerIds(FEDORA)).join().snapshots()).isEmpty();
    }

    /**
     * Every bucket is the owner's: the consumer's S3 client reads only objects whose ACL grants READ to all users or to
     * authenticated users (anonymous requests only the former), in a bucket that honours ACLs, and changes nothing.
     */
    @Test
    void inS3TheConsumerReadsOnlyWhatAnAclGrantsToEveryoneOrToAuthenticatedUsers() {
        String bucket = "fedora-bundles";
        S3AsyncClient mine = owner.s3(REGION);
        mine.createBucket(b -> b.bucket(bucket).objectOwnership(ObjectOwnership.OBJECT_WRITER)).join();
        mine.deletePublicAccessBlock(b -> b.bucket(bucket)).join();
        for (ObjectCannedACL acl : List.of(ObjectCannedACL.PUBLIC_READ, ObjectCannedACL.AUTHENTICATED_READ,
                ObjectCannedACL.AWS_EXEC_READ, ObjectCannedACL.PRIVATE)) {
            mine.putObject(b -> b.bucket(bucket).key(acl.toString()).acl(acl), AsyncRequestBody.fromString(acl
                    .toString())).join();
        }
        S3AsyncClient theirs = consumer.s3(REGION);
        assertThat(read(theirs, bucket, "public-read")).isEqualTo("public-read");
        assertThat(read(theirs, bucket, "authenticated-read")).isEqualTo("authenticated-read");
        assertThat(theirs.headObject(b -> b.bucket(bucket).key("authenticated-read")).join().contentLength())
                .isEqualTo(18);
        assertS3Denied(() -> read(theirs, bucket, "aws-exec-read"));
        assertS3Denied(() -> read(theirs, bucket, "private"));
        assertS3Denied(() -> theirs.putObject(b -> b.bucket(bucket).key("planted"), AsyncRequestBody.fromString("x"))
                .join());
        assertS3Denied(() -> theirs.deleteObject(b -> b.bucket(bucket).key("public-read")).join());
        assertS3Denied(() -> theirs.listObjectsV2(b -> b.bucket(bucket)).join());
        assertS3Denied(() -> theirs.putObjectAcl(b -> b.bucket(bucket).key("private").acl(ObjectCannedACL.PUBLIC_READ))
                .join());
        assertThat(aws.inspect().objects(bucket)).hasSize(4);
        assertThat(aws.inspect().objects(bucket)).filteredOn(o -> o.key().equals("private")).singleElement()
                .satisfies(o -> assertThat(o.acl()).isEqualTo("private"));

        mine.putPublicAccessBlock(b -> b.bucket(bucket).publicAccessBlockConfiguration(c -> c.ignorePublicAcls(true)))
                .join();
        assertS3Denied(() -> read(theirs, bucket, "public-read"));
        assertS3Denied(() -> read(theirs, bucket, "authenticated-read"));
        assertThat(read(mine, bucket, "private")).isEqualTo("private");
    }

    private static String read(S3AsyncClient s3, String bucket, String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes()).join().asUtf8String();
    }

    private static void assertS3Denied(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("AccessDenied"));
    }

    private static String publicImage(String name, String snap) {
        String ami = owner.ec2(REGION).registerImage(Sdk.fedoraRegistration(name, snap).toBuilder()
                .architecture(name.contains("aarch64") ? "arm64" : "x86_64").build()).join().imageId();
        owner.ec2(REGION).modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().group("all").build()))).join();
        return ami;
    }

    /** Terraform's most_recent: the latest CreationDate. */
    private static String mostRecent(List<Image> images) {
        return images.stream().max(Comparator.comparing(i -> Instant.parse(i.creationDate()))).orElseThrow().imageId();
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
