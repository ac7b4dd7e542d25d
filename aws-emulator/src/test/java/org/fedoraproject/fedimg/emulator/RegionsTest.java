package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Region;

class RegionsTest extends EmulatorTest {

    @Test
    void describesTodaysCommercialRegionsWithOptInStatus() {
        List<Region> regions = ec2().describeRegions(b -> b.allRegions(true)).join().regions();
        assertThat(regions).hasSize(Regions.DEFAULT.size()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(regions).filteredOn(r -> r.regionName().equals("us-east-1")).singleElement()
                .satisfies(r -> assertThat(r.optInStatus()).isEqualTo("opt-in-not-required"));
        assertThat(regions).filteredOn(r -> r.regionName().equals("af-south-1")).singleElement()
                .satisfies(r -> assertThat(r.optInStatus()).isEqualTo("opted-in"));
        assertThat(ec2().describeRegions(b -> b.filters(Filter.builder().name("opt-in-status").values("opted-in")
                .build())).join().regions()).hasSize(Regions.OPT_IN.size());
    }

    @Test
    void eachRegionHasItsOwnStateAndZones() {
        String ami = registeredImage("ap-southeast-7", "Fedora-regional");
        assertThat(aws.inspect().images("ap-southeast-7")).extracting(Views.Image::imageId).containsExactly(ami);
        assertThat(aws.inspect().images(US_EAST_1)).isEmpty();
        assertAwsError(() -> ec2(US_EAST_1).describeImages(b -> b.imageIds(ami)).join(), "InvalidAMIID.NotFound");
        List<AvailabilityZone> zones = ec2("us-east-1").describeAvailabilityZones().join().availabilityZones();
        assertThat(zones).extracting(AvailabilityZone::zoneName).contains("us-east-1a", "us-east-1f");
        assertThat(zones.get(0).zoneId()).isEqualTo("use1-az1");
        assertThat(ec2(EU_WEST_1).getEbsEncryptionByDefault(b -> { }).join().ebsEncryptionByDefault()).isFalse();
    }

    @Test
    void aRegionTheEmulatorDoesNotServeIsRefused() {
        assertAwsError(() -> ec2("cn-north-1").describeImages().join(), "AuthFailure");
    }
}
