package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.LaunchPermission;

class FaultsTest extends EmulatorTest {

    @Test
    void throttlingAndInternalErrorsAreAbsorbedBySdkRetries() {
        aws.faults().throttle(0.3).internalErrors(0.1);
        try (Sdk retrying = new Sdk(aws.endpoint(), 20)) {
            for (int i = 0; i < 15; i++) {
                assertThat(retrying.ec2(US_EAST_1).describeRegions().join().regions()).isNotEmpty();
            }
            String snap = retrying.uploadSnapshot(US_EAST_1, 1, Map.of(0, Sdk.block(0), 1, Sdk.block(1)), Map.of());
            assertThat(snap).startsWith("snap-");
        }
        long calls = aws.inspect().callCount("DescribeRegions");
        assertThat(calls).as("some calls were retried").isGreaterThan(15);
        aws.faults().clear();
    }

    @Test
    void throttlingCodesAreTheAwsOnes() {
        aws.faults().throttle(1.0);
        assertAwsError(() -> ec2().describeRegions().join(), "RequestLimitExceeded");
        assertAwsError(() -> sdk.ebs(US_EAST_1).startSnapshot(b -> b.volumeSize(1L)).join(), "SlowDown");
        aws.faults().clear().internalErrors(1.0);
        assertAwsError(() -> ec2().describeRegions().join(), "InternalError");
        assertAwsError(() -> sdk.ebs(US_EAST_1).startSnapshot(b -> b.volumeSize(1L)).join(), "InternalServerException");
    }

    @Test
    void aNamedCallFailsNTimes() {
        String ami = registeredImage(US_EAST_1, "Fedora-flaky");
        aws.faults().failCall("CopyImage", 2, "InvalidAMIID.Unavailable");
        for (int i = 0; i < 2; i++) {
            assertAwsError(() -> ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami)
                    .name("Fedora-flaky")).join(), "InvalidAMIID.Unavailable");
        }
        assertThat(ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami).name("Fedora-flaky"))
                .join().imageId()).startsWith("ami-");
        assertThat(aws.inspect().callCount("CopyImage")).isEqualTo(3);
        assertThat(aws.faults().clear().injectedCounts()).as("counted, and kept by clear()")
                .containsEntry("failCall InvalidAMIID.Unavailable", 2L);
        aws.faults().failCall("PutSnapshotBlock", 1, "InternalServerException");
        assertAwsError(() -> sdk.uploadSnapshot(US_EAST_1, 1, Map.of(0, Sdk.block(0)), Map.of()),
                "InternalServerException");
    }

    @Test
    void latencyIsAdded() {
        aws.faults().latency(Duration.ofMillis(400));
        long start = System.nanoTime();
        ec2().describeRegions().join();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void resetClearsStateFaultsAndCounts() {
        registeredImage(US_EAST_1, "Fedora-reset");
        aws.faults().publicAmiQuotaExceeded(US_EAST_1);
        aws.reset();
        assertThat(aws.inspect().liveResources().none()).isTrue();
        assertThat(aws.inspect().callCount("RegisterImage")).isZero();
        String ami = registeredImage(US_EAST_1, "Fedora-reset");
        ec2().modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p.add(LaunchPermission.builder()
                .group("all").build()))).join();
    }

    @Test
    void adminHttpEndpointDrivesFaultsAndInspection() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI base = aws.endpoint();
        HttpResponse<String> applied = http.send(HttpRequest.newBuilder(base.resolve("/_emulator/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"failCall\":[{\"action\":\"DescribeImages\",\"times\":1,"
                        + "\"errorCode\":\"InternalError\"}],\"blockPublicAccess\":{\"us-east-1\":true},"
                        + "\"latency\":\"PT0S\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(applied.statusCode()).isEqualTo(200);
        assertAwsError(() -> ec2().describeImages().join(), "InternalError");
        assertThat(ec2().getImageBlockPublicAccessState(b -> { }).join().imageBlockPublicAccessState())
                .isEqualTo("block-new-sharing");
        String ami = registeredImage(US_EAST_1, "Fedora-admin");
        HttpResponse<String> images = http.send(HttpRequest.newBuilder(base.resolve("/_emulator/regions/us-east-1/images"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(images.body()).contains(ami).contains("Fedora-admin");
        HttpResponse<String> calls = http.send(HttpRequest.newBuilder(base.resolve(
                "/_emulator/calls?action=DescribeImages&region=us-east-1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(calls.body()).contains("\"count\":1");
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(base.resolve("/_emulator/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.body()).contains("\"images\":1").contains("\"snapshots\":1");
        http.send(HttpRequest.newBuilder(base.resolve("/_emulator/faults")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ec2().getImageBlockPublicAccessState(b -> { }).join().imageBlockPublicAccessState())
                .isEqualTo("unblocked");
        http.send(HttpRequest.newBuilder(base.resolve("/_emulator/reset")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(aws.inspect().liveResources().none()).isTrue();
    }
}
