package org.fedoraproject.fedimg.replicator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.aws.support.Waiter;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorExtension;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.replicator.Samples;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.Image;

/** The AWS steps on their own, against the emulator with zero delays. */
@ExtendWith(AwsEmulatorExtension.class)
class AwsStepsTest {

    static final Duration D = Duration.ofMillis(20);
    static AwsEmulator emulator;
    static AwsClients aws;
    AmiTested tested;
    Permit permit;
    Image source;

    @BeforeAll
    static void clients() {
        aws = new AwsClients(AwsConfig.of(SourceAmis.BASE, emulator.endpoint()),
                new AwsCallMetrics(new SimpleMeterRegistry()));
    }

    @AfterAll
    static void close() {
        aws.close();
    }

    @BeforeEach
    void source() {
        tested = new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassed("Fedora-Cloud-41-20261125.0.steps", "production", Samples.GP3);
        permit = PublicationGuard.require(tested);
        source = SourceImages.describe(aws.ec2(SourceAmis.BASE), SourceAmis.BASE, tested.ami().amiId()).await().indefinitely();
    }

    CopyStep.Copy copy(String region) {
        return CopyStep.findOrCopy(aws.ec2(region), permit, SourceAmis.BASE, source, region,
                Map.of(AwsTags.SOURCE_AMI, source.imageId()), Optional.empty()).await().indefinitely();
    }

    @Test
    void copyIsFoundByNameTheSecondTime() {
        CopyStep.Copy first = copy("eu-west-1");
        CopyStep.Copy again = copy("eu-west-1");
        assertThat(first.started()).isTrue();
        assertThat(again.started()).isFalse();
        assertThat(again.amiId()).isEqualTo(first.amiId());
        assertThat(emulator.inspect().callCount("CopyImage", "eu-west-1")).isEqualTo(1);
    }

    @Test
    void aFailedCopyIsDeregisteredAndCopiedAgainUnderANewToken() {
        emulator.faults().failCopyImageInto("eu-west-1");
        String failedId = copy("eu-west-1").amiId();
        assertThatThrownBy(() -> CopyWait.await(aws.ec2("eu-west-1"), "eu-west-1", failedId, Waiter.Limits.of(50, D)).await().indefinitely())
                .isInstanceOf(RegionFailure.class).hasMessageContaining("failed").hasMessageContaining(failedId);
        List<String> failedSnapshots = emulator.inspect().image("eu-west-1", failedId).orElseThrow().blockDeviceMappings()
                .stream().map(b -> b.snapshotId()).filter(java.util.Objects::nonNull).toList();
        assertThat(failedSnapshots).isNotEmpty();
        emulator.faults().clear();
        CopyStep.Copy retry = copy("eu-west-1");
        assertThat(retry.started()).isTrue();
        assertThat(retry.amiId()).isNotEqualTo(failedId);
        assertThat(emulator.inspect().image("eu-west-1", failedId)).isEmpty();
        assertThat(emulator.inspect().snapshots("eu-west-1")).as("the failed copy's snapshots go with it")
                .noneMatch(s -> failedSnapshots.contains(s.snapshotId()));
        assertThat(CopyWait.await(aws.ec2("eu-west-1"), "eu-west-1", retry.amiId(), Waiter.Limits.of(50, D)).await().indefinitely().imageId())
                .isEqualTo(retry.amiId());
    }

    @Test
    void anAmiWithTheSameNameThatIsNotACopyOfTheSourceIsNeverTakenOver() {
        Ec2AsyncClient euWest1 = aws.ec2("eu-west-1");
        euWest1.copyImage(b -> b.sourceRegion(SourceAmis.BASE).sourceImageId(source.imageId()).name(source.name())).join();
        assertThatThrownBy(() -> copy("eu-west-1"))
                .isInstanceOf(RegionFailure.class).hasMessageContaining("already exists").hasMessageContaining("not a copy of");
    }

    @Test
    void blockPublicAccessOnFailsTheRegionUnlessConfigAllowsTurningItOff() {
        Ec2AsyncClient ec2 = aws.ec2("eu-west-3");
        ec2.enableImageBlockPublicAccess(b -> b.imageBlockPublicAccessState("block-new-sharing")).join();
        assertThatThrownBy(() -> BlockPublicAccessStep.ensureSharingAllowed(ec2, "eu-west-3", false, Waiter.Limits.of(5, D)).await().indefinitely())
                .isInstanceOf(RegionFailure.class).hasMessageContaining("image block public access is on in eu-west-3")
                .hasMessageContaining("disable-when-on");
        assertThat(emulator.inspect().callCount("DisableImageBlockPublicAccess")).isZero();

        BlockPublicAccessStep.ensureSharingAllowed(ec2, "eu-west-3", true, Waiter.Limits.of(5, D)).await().indefinitely();
        assertThat(ec2.getImageBlockPublicAccessState(b -> { }).join().imageBlockPublicAccessState()).isEqualTo("unblocked");
    }

    @Test
    void makePublicOpensTheSnapshotThenTheAmi() {
        String amiId = copy("eu-west-1").amiId();
        Image image = CopyWait.await(aws.ec2("eu-west-1"), "eu-west-1", amiId, Waiter.Limits.of(50, D)).await().indefinitely();
        MakePublicStep.makePublic(aws.ec2("eu-west-1"), permit, source.imageId(), "eu-west-1", amiId,
                SourceImages.snapshotIds(image)).await().indefinitely();
        Views.Image view = emulator.inspect().image("eu-west-1", amiId).orElseThrow();
        assertThat(view.isPublic()).isTrue();
        assertThat(emulator.inspect().snapshot("eu-west-1", view.rootSnapshotId()).orElseThrow().createVolumePermissionGroups())
                .contains("all");
    }

    @Test
    void aPermitForAnotherAmiCannotMakeThisOnePublic() {
        String amiId = copy("eu-west-1").amiId();
        assertThatThrownBy(() -> MakePublicStep.makePublic(aws.ec2("eu-west-1"), permit, "ami-0000000000000000f", "eu-west-1",
                amiId, List.of("snap-1")))
                .isInstanceOf(PublicationGuard.InvariantViolation.class);
        assertThat(emulator.inspect().callCount("ModifyImageAttribute")).isZero();
    }

    @Test
    void theQuotaIsAClearFailure() {
        emulator.faults().publicAmiQuotaExceeded(SourceAmis.BASE);
        assertThatThrownBy(() -> MakePublicStep.makePublic(aws.ec2(SourceAmis.BASE), permit, source.imageId(), SourceAmis.BASE,
                source.imageId(), SourceImages.snapshotIds(source)).await().indefinitely())
                .isInstanceOf(RegionFailure.class).hasMessageContaining("public AMI quota exceeded in us-east-1")
                .hasMessageContaining("ResourceLimitExceeded");
    }

    @Test
    void theWaiterGivesUpAfterItsAttemptsWithAClearReason() {
        emulator.delays(emulator.delays().toBuilder().copyAvailable(Duration.ofMinutes(5)).build());
        String amiId = copy("eu-west-1").amiId();
        assertThatThrownBy(() -> CopyWait.await(aws.ec2("eu-west-1"), "eu-west-1", amiId, Waiter.Limits.of(3, D)).await().indefinitely())
                .isInstanceOf(RegionFailure.class).hasMessageContaining("not available after 3 checks");
    }

    @Test
    void regionsComeWithTheirOptInStatus() {
        var regions = RegionDirectory.accountRegions(aws.ec2(SourceAmis.BASE)).await().indefinitely();
        assertThat(regions).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("af-south-1");
            assertThat(r.optInStatus()).isEqualTo("opted-in");
        });
        assertThat(regions).allSatisfy(r -> assertThat(r.enabled()).isTrue());
    }

    @Test
    void theVariantsOfAnImageAreItsTaggedBaseRegionAmis() {
        AmiTested std = new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassed("Fedora-Cloud-41-20261125.0.steps", "production",
                Samples.STANDARD);
        copy("eu-west-1");
        var variants = SourceImages.variants(aws.ec2(SourceAmis.BASE), tested.imageKey(), 0).await().indefinitely();
        assertThat(variants).extracting(v -> v.slug() + "=" + v.sourceAmiId())
                .containsExactlyInAnyOrder("hvm-gp3=" + tested.ami().amiId(), "hvm-standard=" + std.ami().amiId());
    }
}
