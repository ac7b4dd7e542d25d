package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.Regions;
import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.AvailabilityZone;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAvailabilityZonesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeRegionsResponse;
import software.amazon.awssdk.services.ec2.model.Region;

/** DescribeRegions (the regions served, opt-in status) and DescribeAvailabilityZones (zone ids like use1-az1). */
final class RegionsAndZones extends ResourceHandlers {

    RegionsAndZones(Engine engine) {
        super(engine);
    }

    @Override
    void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeRegions", this::describeRegions);
        actions.put("DescribeAvailabilityZones", this::describeAvailabilityZones);
    }

    private DescribeRegionsResponse describeRegions(RegionState region, Map<String, String> form) {
        DescribeRegionsRequest req = QueryBinder.bind(form, DescribeRegionsRequest.builder());
        List<Region> out = new ArrayList<>();
        for (String name : engine.regionNames()) {
            if (!req.regionNames().isEmpty() && !req.regionNames().contains(name)) {
                continue;
            }
            String optIn = Regions.isOptIn(name) ? "opted-in" : "opt-in-not-required";
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "region-name" -> List.of(name);
                case "opt-in-status" -> List.of(optIn);
                case "endpoint" -> List.of("ec2." + name + ".amazonaws.com");
                default -> null;
            })) {
                out.add(Region.builder().regionName(name).endpoint("ec2." + name + ".amazonaws.com")
                        .optInStatus(optIn).build());
            }
        }
        for (String name : req.regionNames()) {
            if (!engine.regionNames().contains(name)) {
                throw new Ec2Exception("InvalidParameterValue", "Invalid region: " + name);
            }
        }
        return DescribeRegionsResponse.builder().regions(out).build();
    }

    private DescribeAvailabilityZonesResponse describeAvailabilityZones(RegionState region, Map<String, String> form) {
        DescribeAvailabilityZonesRequest req = QueryBinder.bind(form, DescribeAvailabilityZonesRequest.builder());
        List<AvailabilityZone> out = new ArrayList<>();
        int i = 1;
        String prefix = zoneIdPrefix(region.name);
        for (String zone : region.subnetsByZone.keySet()) {
            String zoneId = prefix + "-az" + i++;
            if (!req.zoneNames().isEmpty() && !req.zoneNames().contains(zone)) {
                continue;
            }
            if (!req.zoneIds().isEmpty() && !req.zoneIds().contains(zoneId)) {
                continue;
            }
            if (Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "zone-name" -> List.of(zone);
                case "zone-id" -> List.of(zoneId);
                case "state" -> List.of("available");
                case "region-name" -> List.of(region.name);
                case "zone-type" -> List.of("availability-zone");
                case "opt-in-status" -> List.of("opt-in-not-required");
                default -> null;
            })) {
                out.add(AvailabilityZone.builder().zoneName(zone).zoneId(zoneId).state("available")
                        .regionName(region.name).optInStatus("opt-in-not-required").groupName(region.name)
                        .networkBorderGroup(region.name).zoneType("availability-zone").messages(List.of()).build());
            }
        }
        return DescribeAvailabilityZonesResponse.builder().availabilityZones(out).build();
    }

    /** The zone id (use1-az1, ...) of a zone of the region, as DescribeAvailabilityZones lists it. */
    static String zoneId(RegionState region, String zone) {
        int i = new ArrayList<>(region.subnetsByZone.keySet()).indexOf(zone) + 1;
        return zoneIdPrefix(region.name) + "-az" + i;
    }

    private static String zoneIdPrefix(String region) {
        String[] parts = region.split("-");
        StringBuilder sb = new StringBuilder();
        sb.append(parts[0]);
        for (int i = 1; i < parts.length - 1; i++) {
            sb.append(parts[i].charAt(0));
        }
        return sb.append(parts[parts.length - 1]).toString();
    }
}
