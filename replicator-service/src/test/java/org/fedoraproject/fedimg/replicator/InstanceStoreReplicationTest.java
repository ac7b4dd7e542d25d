package org.fedoraproject.fedimg.replicator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.replicator.support.ReplicatorQuarkusTest;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.fedoraproject.fedimg.testing.bundles.InstanceStoreAmis;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Instance-store AMIs (issue 22) are replicated as EBS ones: CopyImage into every region (AWS copies the bundle
 * into a bucket of its own there), the copies public (a launch permission only: there is no snapshot), and the
 * catalogue says their storage type. Same resources as {@link ReplicationServiceTest}, so the two share one
 * application.
 */
@QuarkusTest
class InstanceStoreReplicationTest extends ReplicatorQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aPassedInstanceStoreAmiIsCopiedToEveryRegionAndPublic() {
        TestSigner signer = TestSigner.issue("fedimg-replicator-test");
        emulator.registerSigningCertificate(signer.certificate());
        InstanceStoreAmis bundles = new InstanceStoreAmis(emulator.endpoint(), emulator.accountId(),
                emulator.inspect().ec2Certificate(), signer);
        String compose = "Fedora-Cloud-41-20261207.0." + UUID.randomUUID().toString().substring(0, 8);
        AmiTested tested = new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassedInstanceStore(compose, "production",
                "hvm", bundles);
        List<String> regions = aws.ec2(SourceAmis.BASE).describeRegions(b -> b.allRegions(true)).join().regions()
                .stream().map(r -> r.regionName()).sorted().toList();

        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).as(image.toString()).isEqualTo(ImageOutcome.COMPLETE);
        assertThat(image.regions()).hasSize(regions.size())
                .allSatisfy(r -> assertThat(r.outcome()).as(r.toString()).isEqualTo(RegionOutcome.PUBLISHED))
                .allSatisfy(r -> assertThat(r.isPublic()).isTrue())
                .allSatisfy(r -> assertThat(r.snapshotId()).isNull());
        for (ImagePublished.Result r : image.regions()) {
            Ec2AsyncClient ec2 = aws.ec2(r.region());
            Image ami = ec2.describeImages(b -> b.imageIds(r.amiId())).join().images().get(0);
            assertThat(ami.rootDeviceType()).as("root device in %s", r.region()).isEqualTo(DeviceType.INSTANCE_STORE);
            assertThat(ec2.describeImageAttribute(b -> b.imageId(r.amiId()).attribute("launchPermission")).join()
                    .launchPermissions()).extracting(LaunchPermission::groupAsString).contains("all");
            if (!r.region().equals(SourceAmis.BASE)) {
                assertThat(Ec2Tags.map(ami.tags())).containsEntry(AwsTags.SOURCE_AMI, tested.ami().amiId())
                        .containsEntry(AwsTags.VARIANT, "hvm-instance-store");
            }
        }
        given().queryParam("compose", compose).queryParam("region", "eu-west-1")
                .queryParam("variant", "hvm-instance-store")
                .get("/amis").then().statusCode(200).body("$", hasSize(1))
                .body("[0].storageType", equalTo("instance-store")).body("[0].isPublic", equalTo(true));
    }
}
