package org.fedoraproject.fedimg.replicator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleEvents;
import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;
import org.fedoraproject.fedimg.replicator.support.ReplicatorQuarkusTest;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Per-stream settings through the service (Kafka and the emulator): the %test profile gives release 43's nightlies
 * 4 regions and its test composes a share-only stream in 2 (application.properties). Same resources and profile as
 * {@link ReplicationServiceTest}, so they share one application.
 */
@QuarkusTest
class StreamSettingsServiceTest extends ReplicatorQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final List<String> NIGHTLY_REGIONS = List.of("ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2");
    static final String ACCOUNT = "444455556666";
    static final String ORG = "arn:aws:organizations::123456789012:organization/o-abcdef1234";
    static final String OU = "arn:aws:organizations::123456789012:ou/o-abcdef1234/ou-ab12-cdefgh34";

    /** The classes sharing this application publish releases everywhere (ReplicationServiceTest's reason). */
    @AfterEach
    void defaultSharingQuota() {
        emulator.quotas().set(Quota.AMI_SHARING, Quota.AMI_SHARING.awsDefault());
    }

    static String compose(String kind) {
        return "Fedora-Cloud-43-20261201." + kind + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    AmiTested passed(String composeId, String type) {
        return new SourceAmis(aws.ec2(SourceAmis.BASE)).registerPassed(composeId, type, "43", Samples.GP3);
    }

    long copiesOf(String sourceAmi) {
        return aws.ec2(SourceAmis.BASE).describeRegions(b -> b.allRegions(true)).join().regions().stream()
                .flatMap(r -> emulator.inspect().images(r.regionName()).stream())
                .filter(i -> sourceAmi.equals(i.sourceImageId())).count();
    }

    @Test
    void theStreamsNightliesGoToItsFourRegionsOnlyAndArePublic() {
        AmiTested tested = passed(compose("n.0"), "nightly");
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.COMPLETE);
        assertThat(image.regions()).extracting(ImagePublished.Result::region).containsExactlyInAnyOrderElementsOf(NIGHTLY_REGIONS);
        assertThat(image.regions()).allSatisfy(r -> assertThat(r.isPublic()).isTrue());
        assertThat(copiesOf(tested.ami().amiId())).as("copies: the 3 regions besides the base").isEqualTo(3);
    }

    /**
     * A lifecycle step announced on fedimg.status (as the lifecycle job and the replicator write it) shows in the
     * catalogue's {@code lifecycle} of that AMI only, and in the status page's lifecycle list, without bringing the
     * image back in flight.
     */
    @Test
    void aLifecycleStepShowsInTheCatalogueAndOnTheStatusPage() {
        AmiTested tested = passed(compose("n.1"), "nightly");
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);
        ImagePublished.Result eu = image.regions().stream().filter(r -> r.region().equals("eu-west-1")).findFirst().orElseThrow();
        ManagedAmi ami = new ManagedAmi(eu.amiId(), "eu-west-1", tested.ami().amiName(), tested.imageKey(),
                tested.image().sha256(), "nightly", tested.composeId(), "43", "x86_64", "hvm-gp3", tested.time(), false,
                false, false, Optional.empty(), List.of());
        probe.send(LifecycleEvents.done(new LifecycleAction(ami, LifecycleAction.Kind.MAKE_PRIVATE, "no longer kept public"),
                "lifecycle", Instant.now()), "lifecycle");

        Awaitility.await().atMost(WAIT).untilAsserted(() -> given().queryParam("compose", tested.composeId()).get("/amis")
                .then().statusCode(200)
                .body("findAll { it.region == 'eu-west-1' }.lifecycle", contains("private"))
                .body("findAll { it.region != 'eu-west-1' }.lifecycle", everyItem(equalTo("public"))));
        given().queryParam("compose", tested.composeId()).queryParam("lifecycle", "private").get("/amis").then()
                .body("amiId", contains(eu.amiId()));
        given().get("/status/api/view").then().statusCode(200)
                .body("lifecycle.amiId", hasItem(eu.amiId()))
                .body("inFlight.imageKey", not(hasItem(tested.imageKey())));
    }

    @Test
    void theStagingStreamSharesWithAccountsOrganizationsAndOusAndNothingIsPublic() {
        AmiTested tested = passed(compose("t.0"), "test");
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.regions()).extracting(ImagePublished.Result::region).containsExactlyInAnyOrder("us-east-1", "eu-west-1");
        assertThat(image.regions()).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(RegionOutcome.SHARED);
            assertThat(r.isPublic()).isFalse();
            Views.Image ami = emulator.inspect().image(r.region(), r.amiId()).orElseThrow();
            assertThat(ami.isPublic()).isFalse();
            assertThat(ami.launchPermissionUsers()).containsExactly(ACCOUNT);
            assertThat(ami.launchPermissionOrganizations()).containsExactly(ORG);
            assertThat(ami.launchPermissionOrganizationalUnits()).containsExactly(OU);
            Views.Snapshot snap = emulator.inspect().snapshot(r.region(), ami.rootSnapshotId()).orElseThrow();
            assertThat(snap.createVolumePermissionGroups()).as("snapshot").isEmpty();
            assertThat(snap.createVolumePermissionUsers()).as("snapshot").containsExactly(ACCOUNT);
        });
        assertThat(topics.amis(tested.imageKey(), l -> l.size() >= 2, WAIT)).allSatisfy(p -> {
            assertThat(p.sharedWith()).containsExactly(ACCOUNT, ORG, OU);
            assertThat(p.reason()).contains("share-only (stream staging-43)");
        });
    }

    @Test
    void theSharingQuotaExceededFailsThatRegionWithAClearReason() {
        // 3 entities per AMI (account, organization, OU) over a quota of 2 in eu-west-1 only
        emulator.quotas().set("eu-west-1", Quota.AMI_SHARING, 2);
        AmiTested tested = passed(compose("t.1"), "test");
        probe.send(tested, "tester");
        ImagePublished image = topics.aggregate(tested.imageKey(), WAIT);

        assertThat(image.outcome()).isEqualTo(ImageOutcome.PARTIAL);
        ImagePublished.Result eu = image.regions().stream().filter(r -> r.region().equals("eu-west-1")).findFirst().orElseThrow();
        assertThat(eu.outcome()).isEqualTo(RegionOutcome.FAILED);
        assertThat(eu.reason()).startsWith("AMI sharing quota exceeded in eu-west-1").contains("ResourceLimitExceeded");
        Views.Image copy = emulator.inspect().image("eu-west-1", eu.amiId()).orElseThrow();
        assertThat(copy.isPublic()).isFalse();
        assertThat(copy.launchPermissionOrganizations()).isEmpty();
        ImagePublished.Result us = image.regions().stream().filter(r -> r.region().equals("us-east-1")).findFirst().orElseThrow();
        assertThat(us.outcome()).isEqualTo(RegionOutcome.SHARED);
    }
}
