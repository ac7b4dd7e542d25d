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

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * DescribeImages as another account sees Fedora's AMIs: a consumer such as Terraform's {@code aws_ami} data
 * source, signed with an access key the emulator maps to account 210987654321, looking for images owned by
 * Fedora's account 125523088429 by name with {@code most_recent}.
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
