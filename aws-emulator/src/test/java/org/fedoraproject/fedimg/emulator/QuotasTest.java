package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.servicequotas.model.ServiceQuota;

/**
 * The AMI quotas: AWS's defaults, ResourceLimitExceeded on the call that would exceed them, raised like a quota
 * increase, and read through Service Quotas and the admin endpoint.
 */
class QuotasTest extends EmulatorTest {

    private static final String ORG = "arn:aws:organizations::123456789012:organization/o-abcdefghij";
    private static final String OU = "arn:aws:organizations::123456789012:ou/o-abcdefghij/ou-ab12-cdefghij";

    /** AMIs sharing one snapshot (AWS allows it), available at once with zero delays. */
    static List<String> images(String region, String prefix, int count) {
        String snap = sdk.uploadSnapshot(region, 1, Map.of(0, Sdk.block(0)), Map.of());
        return IntStream.range(0, count).mapToObj(i -> ec2(region).registerImage(Sdk.fedoraRegistration(
                prefix + "-" + i, snap)).join().imageId()).toList();
    }

    @Test
    void theSixthPublicAmiInARegionIsRefusedUntilOneGoesPrivateOrTheQuotaIsRaised() {
        List<String> amis = images(US_EAST_1, "Fedora-public", 7);
        amis.subList(0, 5).forEach(ami -> ImagesTest.makePublic(US_EAST_1, ami));
        // Adding group all to an AMI that is already public does not count twice.
        ImagesTest.makePublic(US_EAST_1, amis.get(0));
        assertAwsError(() -> ImagesTest.makePublic(US_EAST_1, amis.get(5)), "ResourceLimitExceeded")
                .hasMessageContaining("You have reached your quota of 5 for the number of public images allowed in "
                        + "this Region. Deregister unused public images or make them private, or request an increase "
                        + "in your public AMIs quota.");
        // The same form the replicator uses (OperationType + UserGroups) is refused as well.
        assertAwsError(() -> ec2().modifyImageAttribute(r -> r.imageId(amis.get(5)).attribute("launchPermission")
                .operationType("add").userGroups("all")).join(), "ResourceLimitExceeded");
        assertThat(aws.inspect().image(US_EAST_1, amis.get(5)).orElseThrow().isPublic()).isFalse();
        // Another region has its own quota.
        ImagesTest.makePublic(EU_WEST_1, images(EU_WEST_1, "Fedora-eu", 1).get(0));

        // AWS's advice: make an older one private, then there is room again.
        ec2().modifyImageAttribute(r -> r.imageId(amis.get(0)).launchPermission(p -> p.remove(
                LaunchPermission.builder().group("all").build()))).join();
        ImagesTest.makePublic(US_EAST_1, amis.get(5));
        assertAwsError(() -> ImagesTest.makePublic(US_EAST_1, amis.get(6)), "ResourceLimitExceeded");

        // A quota increase in that region only.
        aws.quotas().set(US_EAST_1, Quota.PUBLIC_AMIS, 6);
        ImagesTest.makePublic(US_EAST_1, amis.get(6));
        assertThat(aws.inspect().quotas(US_EAST_1)).filteredOn(q -> q.quota().equals("public-amis"))
                .singleElement().satisfies(q -> {
                    assertThat(q.code()).isEqualTo("L-0E3CBAB9");
                    assertThat(q.value()).isEqualTo(6);
                    assertThat(q.used()).isEqualTo(6);
                });
        assertThat(aws.quotas().value(EU_WEST_1, Quota.PUBLIC_AMIS)).isEqualTo(5);
    }

    @Test
    void registerAndCopyImageAreRefusedAtTheAmiQuotaWhichCountsDisabledAmis() {
        aws.quotas().set(Quota.AMIS, 2);
        List<String> amis = images(US_EAST_1, "Fedora-count", 2);
        String snap = aws.inspect().image(US_EAST_1, amis.get(0)).orElseThrow().rootSnapshotId();
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-count-2", snap)).join(),
                "ResourceLimitExceeded").hasMessageContaining("quota of 2 for the number of images allowed");
        ec2().disableImage(r -> r.imageId(amis.get(1))).join();
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-count-2", snap)).join(),
                "ResourceLimitExceeded");
        // CopyImage counts in its destination region.
        images(EU_WEST_1, "Fedora-eu", 2);
        assertAwsError(() -> ec2(EU_WEST_1).copyImage(r -> r.sourceRegion(US_EAST_1).sourceImageId(amis.get(0))
                .name("Fedora-copied")).join(), "ResourceLimitExceeded");
        ec2().deregisterImage(r -> r.imageId(amis.get(1))).join();
        assertThat(ec2().registerImage(Sdk.fedoraRegistration("Fedora-count-2", snap)).join().imageId())
                .startsWith("ami-");
    }

    @Test
    void sharingIsRefusedPastTheEntitiesAnAmiMayBeSharedWith() {
        aws.quotas().set(Quota.AMI_SHARING, 3);
        String ami = images(US_EAST_1, "Fedora-shared", 1).get(0);
        ec2().modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().userId("210987654321").build(),
                LaunchPermission.builder().organizationArn(ORG).build()))).join();
        ec2().modifyImageAttribute(r -> r.imageId(ami).attribute("launchPermission").operationType("add")
                .organizationalUnitArns(OU)).join();
        // Public is not an entity; an organization or OU counts once.
        ImagesTest.makePublic(US_EAST_1, ami);
        assertAwsError(() -> ec2().modifyImageAttribute(r -> r.imageId(ami).attribute("launchPermission")
                .operationType("add").userIds("111122223333")).join(), "ResourceLimitExceeded")
                .hasMessageContaining("quota of 3 for the number of entities an image can be shared with");
        // Removing one and adding another in the same call stays within it.
        ec2().modifyImageAttribute(r -> r.imageId(ami).launchPermission(p -> p
                .remove(LaunchPermission.builder().userId("210987654321").build())
                .add(LaunchPermission.builder().userId("111122223333").build()))).join();
        Views.Image view = aws.inspect().image(US_EAST_1, ami).orElseThrow();
        assertThat(view.launchPermissionUsers()).containsExactly("111122223333");
        assertThat(view.launchPermissionOrganizations()).containsExactly(ORG);
        assertThat(view.launchPermissionOrganizationalUnits()).containsExactly(OU);
        assertAwsError(() -> ec2().modifyImageAttribute(r -> r.imageId(ami).attribute("launchPermission")
                .operationType("add").organizationArns("arn:aws:organizations::1:organization/x")).join(),
                "InvalidParameterValue");
    }

    @Test
    void serviceQuotasAnswersTheQuotasInForceLikeAws() {
        var quotas = sdk.serviceQuotas(US_EAST_1);
        ServiceQuota publicAmis = quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-0E3CBAB9")).join()
                .quota();
        assertThat(publicAmis.quotaName()).isEqualTo("Public AMIs");
        assertThat(publicAmis.value()).isEqualTo(5.0);
        assertThat(publicAmis.quotaArn()).isEqualTo("arn:aws:servicequotas:us-east-1:123456789012:ec2/L-0E3CBAB9");
        assertThat(publicAmis.adjustable()).isTrue();
        aws.quotas().set(US_EAST_1, Quota.PUBLIC_AMIS, 40);
        assertThat(quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-0E3CBAB9")).join().quota().value())
                .isEqualTo(40.0);
        assertThat(quotas.getAWSDefaultServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-0E3CBAB9")).join()
                .quota().value()).isEqualTo(5.0);
        assertThat(sdk.serviceQuotas(EU_WEST_1).getServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-0E3CBAB9"))
                .join().quota().value()).isEqualTo(5.0);
        assertThat(quotas.listServiceQuotas(r -> r.serviceCode("ec2")).join().quotas())
                .extracting(ServiceQuota::quotaCode, ServiceQuota::value)
                .containsExactly(tuple("L-0E3CBAB9", 40.0),
                        tuple("L-B665C33B", 50000.0),
                        tuple("L-70015FFA", 1000.0));
        assertAwsError(() -> quotas.getServiceQuota(r -> r.serviceCode("ec2").quotaCode("L-00000000")).join(),
                "NoSuchResourceException");
        assertAwsError(() -> quotas.getServiceQuota(r -> r.serviceCode("s3").quotaCode("L-0E3CBAB9")).join(),
                "NoSuchResourceException");
        assertThat(aws.inspect().callCount("GetServiceQuota", US_EAST_1)).isEqualTo(4);
    }

    @Test
    void theAdminEndpointRaisesAndShowsQuotasUntilReset() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI quotas = aws.endpoint().resolve("/_emulator/quotas?region=" + EU_WEST_1);
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(quotas)
                .POST(HttpRequest.BodyPublishers.ofString("{\"public-amis\": 7, \"L-70015FFA\": 2000}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(set.statusCode()).isEqualTo(200);
        ImagesTest.makePublic(EU_WEST_1, images(EU_WEST_1, "Fedora-admin", 1).get(0));
        JsonNode shown = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(quotas).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body()).path(EU_WEST_1);
        assertThat(shown.get(0).path("code").asText()).isEqualTo("L-0E3CBAB9");
        assertThat(shown.get(0).path("value").asLong()).isEqualTo(7);
        assertThat(shown.get(0).path("used").asLong()).isEqualTo(1);
        assertThat(shown.get(2).path("value").asLong()).isEqualTo(2000);
        assertThat(aws.quotas().value(US_EAST_1, Quota.PUBLIC_AMIS)).isEqualTo(5);
        assertThat(http.send(HttpRequest.newBuilder(quotas).POST(HttpRequest.BodyPublishers.ofString(
                "{\"no-such-quota\": 1}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        aws.reset();
        assertThat(aws.quotas().value(EU_WEST_1, Quota.PUBLIC_AMIS)).isEqualTo(5);
    }

    @Test
    void aQuotaTheEmulatorWasBuiltWithOutlivesReset() {
        try (AwsEmulator raised = AwsEmulator.builder().regions(List.of(US_EAST_1)).quota(Quota.PUBLIC_AMIS, 100)
                .build().start()) {
            raised.quotas().set(Quota.PUBLIC_AMIS, 7);
            assertThat(raised.quotas().value(US_EAST_1, Quota.PUBLIC_AMIS)).isEqualTo(7);
            raised.reset();
            assertThat(raised.quotas().value(US_EAST_1, Quota.PUBLIC_AMIS)).isEqualTo(100);
            assertThat(raised.quotas().value(US_EAST_1, Quota.AMIS)).isEqualTo(50_000);
        }
    }
}
