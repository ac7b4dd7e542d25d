package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

/**
 * An AMI's life after publication: DisableImage / EnableImage, deregistration protection (with its cooldown),
 * LastLaunchedTime, and block public access for snapshots.
 */
class ImageLifecycleTest extends EmulatorTest {

    @Test
    void aDisabledAmiIsPrivateUnlaunchableHiddenAndStillCounted() {
        String ami = registeredImage(US_EAST_1, "Fedora-disabled");
        ImagesTest.makePublic(US_EAST_1, ami);
        ec2().modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().userId("210987654321").build()))).join();
        assertThat(ec2().disableImage(r -> r.imageId(ami)).join().returnValue()).isTrue();
        // Disabling again changes nothing.
        ec2().disableImage(r -> r.imageId(ami)).join();

        assertThat(ec2().describeImages(r -> r.owners("self")).join().images()).isEmpty();
        Image disabled = ec2().describeImages(r -> r.owners("self").includeDisabled(true)).join().images().get(0);
        assertThat(disabled.stateAsString()).isEqualTo("disabled");
        assertThat(disabled.publicLaunchPermissions()).isFalse();
        assertThat(ImagesTest.state(US_EAST_1, ami)).as("described by id").isEqualTo("disabled");
        assertThat(ec2().describeImageAttribute(r -> r.imageId(ami).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                .join().launchPermissions()).isEmpty();
        assertAwsError(() -> ec2().runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1))
                .join(), "InvalidAMIID.Unavailable");
        assertAwsError(() -> ImagesTest.makePublic(US_EAST_1, ami), "IncorrectState");
        assertThat(aws.inspect().quotas(US_EAST_1)).filteredOn(q -> q.quota().equals("amis")).singleElement()
                .satisfies(q -> assertThat(q.used()).isEqualTo(1));

        ec2().enableImage(r -> r.imageId(ami)).join();
        Image enabled = ec2().describeImages(r -> r.owners("self")).join().images().get(0);
        assertThat(enabled.stateAsString()).isEqualTo("available");
        assertThat(enabled.publicLaunchPermissions()).as("EnableImage does not restore sharing").isFalse();
        ec2().runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)).join();
    }

    @Test
    void deregistrationProtectionRefusesDeregisterImageAndCanCoolDown() {
        String ami = registeredImage(US_EAST_1, "Fedora-protected");
        assertThat(protection(ami)).isEqualTo("disabled");
        assertThat(ec2().enableImageDeregistrationProtection(r -> r.imageId(ami)).join().returnValue())
                .isEqualTo("enabled-without-cooldown");
        assertThat(protection(ami)).isEqualTo("enabled-without-cooldown");
        assertThat(ec2().describeImageAttribute(r -> r.imageId(ami).attribute("deregistrationProtection")).join()
                .deregistrationProtection().value()).isEqualTo("enabled-without-cooldown");
        assertAwsError(() -> ec2().deregisterImage(r -> r.imageId(ami)).join(), "OperationNotPermitted");
        ec2().disableImageDeregistrationProtection(r -> r.imageId(ami)).join();
        assertThat(protection(ami)).isEqualTo("disabled");
        ec2().deregisterImage(r -> r.imageId(ami)).join();

        String cooled = registeredImage(US_EAST_1, "Fedora-cooldown");
        assertThat(ec2().enableImageDeregistrationProtection(r -> r.imageId(cooled).withCooldown(true)).join()
                .returnValue()).isEqualTo("enabled-with-cooldown");
        Instant before = Instant.now();
        ec2().disableImageDeregistrationProtection(r -> r.imageId(cooled)).join();
        // Still protected for 24 hours after protection is turned off.
        String until = protection(cooled);
        assertThat(until).startsWith("disabled-until-");
        assertThat(Instant.parse(until.substring("disabled-until-".length())))
                .isBetween(before.plus(Duration.ofHours(24)).minusSeconds(2), Instant.now().plus(Duration.ofHours(24)));
        assertAwsError(() -> ec2().deregisterImage(r -> r.imageId(cooled)).join(), "OperationNotPermitted")
                .hasMessageContaining("24-hour cooldown");
        assertThat(aws.inspect().image(US_EAST_1, cooled).orElseThrow().deregistrationProtection()).startsWith(
                "disabled-until-");
    }

    @Test
    void runInstancesSetsLastLaunchedTime() {
        String ami = registeredImage(US_EAST_1, "Fedora-launched");
        assertThat(lastLaunched(ami)).isNull();
        Instant before = Instant.now().minusMillis(1);
        ec2().runInstances(r -> r.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)).join();
        Instant launched = Instant.parse(lastLaunched(ami));
        assertThat(launched).isBetween(before, Instant.now());
        assertThat(ec2().describeImages(r -> r.imageIds(ami)).join().images().get(0).lastLaunchedTime())
                .isEqualTo(lastLaunched(ami));
    }

    @Test
    void snapshotBlockPublicAccessRefusesNewSharingAndBlockAllHidesPublicSnapshots() {
        String published = sdk.uploadSnapshot(US_EAST_1, 1, java.util.Map.of(0, Sdk.block(0)), java.util.Map.of());
        String later = sdk.uploadSnapshot(US_EAST_1, 1, java.util.Map.of(0, Sdk.block(1)), java.util.Map.of());
        assertThat(ec2().getSnapshotBlockPublicAccessState(r -> { }).join().stateAsString()).isEqualTo("unblocked");
        makeSnapshotPublic(published);

        assertThat(ec2().enableSnapshotBlockPublicAccess(r -> r.state("block-new-sharing")).join().stateAsString())
                .isEqualTo("block-new-sharing");
        assertAwsError(() -> makeSnapshotPublic(later), "OperationNotPermitted");
        assertThat(publicSnapshots()).as("already public stays public").containsExactly(published);
        // Sharing with an account is not public sharing.
        ec2().modifySnapshotAttribute(r -> r.snapshotId(later).attribute("createVolumePermission")
                .operationType("add").userIds("210987654321")).join();

        ec2().enableSnapshotBlockPublicAccess(r -> r.state("block-all-sharing")).join();
        assertThat(ec2().getSnapshotBlockPublicAccessState(r -> { }).join().stateAsString())
                .isEqualTo("block-all-sharing");
        assertAwsError(() -> makeSnapshotPublic(later), "OperationNotPermitted");
        assertThat(publicSnapshots()).as("treated as private").isEmpty();
        assertThat(ec2().describeSnapshotAttribute(r -> r.snapshotId(published)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions())
                .as("its attribute still says public").extracting(CreateVolumePermission::groupAsString)
                .containsExactly("all");

        assertThat(ec2().disableSnapshotBlockPublicAccess(r -> { }).join().stateAsString()).isEqualTo("unblocked");
        assertThat(publicSnapshots()).as("public again").containsExactly(published);
        makeSnapshotPublic(later);
        assertAwsError(() -> ec2().enableSnapshotBlockPublicAccess(r -> r.state("unblocked")).join(),
                "InvalidParameterValue");
        assertThat(ec2(EU_WEST_1).getSnapshotBlockPublicAccessState(r -> { }).join().stateAsString())
                .as("per region").isEqualTo("unblocked");
    }

    private static void makeSnapshotPublic(String snap) {
        ec2().modifySnapshotAttribute(r -> r.snapshotId(snap).attribute("createVolumePermission")
                .createVolumePermission(p -> p.add(CreateVolumePermission.builder().group("all").build()))).join();
    }

    private static java.util.List<String> publicSnapshots() {
        return ec2().describeSnapshots(r -> r.restorableByUserIds("all")).join().snapshots().stream()
                .map(s -> s.snapshotId()).toList();
    }

    private static String protection(String ami) {
        return ec2().describeImages(r -> r.imageIds(ami)).join().images().get(0).deregistrationProtection();
    }

    private static String lastLaunched(String ami) {
        return ec2().describeImageAttribute(r -> r.imageId(ami).attribute(ImageAttributeName.LAST_LAUNCHED_TIME))
                .join().lastLaunchedTime().value();
    }
}
