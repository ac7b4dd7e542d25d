package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypeOfferingsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/**
 * The instance types the emulator knows, enough of each family the pipeline tests on plus the previous
 * generation that boots paravirtual AMIs, the rules RunInstances applies with them (region offerings,
 * virtualization types), and DescribeInstanceTypes (architectures, boot modes, virtualization types, filters) and
 * DescribeInstanceTypeOfferings over them.
 */
final class InstanceTypes {

    record Type(String name, String arch, int vcpus, long memoryMiB, boolean burstable, boolean uefiOnly,
            boolean tpm, Previous previous) {

        /** Current-generation types: HVM only, Nitro, in every region. */
        boolean currentGeneration() {
            return previous == null;
        }

        List<String> virtualizationTypes() {
            return currentGeneration() ? List.of("hvm") : List.of("hvm", "paravirtual");
        }

        boolean offeredIn(String region) {
            return currentGeneration() || previous.regions().contains(region);
        }

        String hypervisor() {
            return currentGeneration() ? "nitro" : "xen";
        }

        boolean instanceStorage() {
            return !currentGeneration() && previous.instanceStore();
        }
    }

    /**
     * A previous-generation type (Xen, legacy BIOS): it boots paravirtual AMIs, and Linux HVM AMIs only where
     * {@code linuxHvm}; offered only in the regions listed.
     */
    record Previous(boolean linuxHvm, boolean instanceStore, Set<String> regions) {
    }

    /**
     * Where the previous-generation types are still offered, as AWS's own DescribeInstanceTypeOfferings answers
     * (captured in moto 5.2.1's instance_type_offerings data): the regions opened before 2014. eu-central-1 has
     * only M3 and C3; every region opened since has none.
     */
    private static final Set<String> CLASSIC_REGIONS = Set.of("us-east-1", "us-west-1", "us-west-2", "eu-west-1",
            "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "sa-east-1");
    private static final Set<String> M3_C3_REGIONS = union(CLASSIC_REGIONS, "eu-central-1");

    static final Map<String, Type> ALL = new LinkedHashMap<>();

    static {
        add("t2.micro", "x86_64", 1, 1024, true, false, false);
        add("t2.small", "x86_64", 1, 2048, true, false, false);
        add("t3.micro", "x86_64", 2, 1024, true, false, false);
        add("t3.small", "x86_64", 2, 2048, true, false, false);
        add("t3.medium", "x86_64", 2, 4096, true, false, false);
        add("t3.large", "x86_64", 2, 8192, true, false, false);
        add("t3a.micro", "x86_64", 2, 1024, true, false, false);
        add("t3a.small", "x86_64", 2, 2048, true, false, false);
        add("t3a.medium", "x86_64", 2, 4096, true, false, false);
        add("m5.large", "x86_64", 2, 8192, false, false, true);
        add("m6i.large", "x86_64", 2, 8192, false, false, true);
        add("m6a.large", "x86_64", 2, 8192, false, false, true);
        add("m7i.large", "x86_64", 2, 8192, false, false, true);
        add("m7a.large", "x86_64", 2, 8192, false, false, true);
        add("c5.large", "x86_64", 2, 4096, false, false, true);
        add("c6i.large", "x86_64", 2, 4096, false, false, true);
        add("c7i.large", "x86_64", 2, 4096, false, false, true);
        add("r6i.large", "x86_64", 2, 16384, false, false, true);
        add("t4g.micro", "arm64", 2, 1024, true, true, false);
        add("t4g.small", "arm64", 2, 2048, true, true, false);
        add("t4g.medium", "arm64", 2, 4096, true, true, false);
        add("m6g.large", "arm64", 2, 8192, false, true, false);
        add("m7g.large", "arm64", 2, 8192, false, true, true);
        add("m8g.large", "arm64", 2, 8192, false, true, true);
        add("c6g.large", "arm64", 2, 4096, false, true, false);
        add("c7g.large", "arm64", 2, 4096, false, true, true);
        add("r7g.large", "arm64", 2, 16384, false, true, true);
        // The PV-capable families of AWS's list (EC2 User Guide, "Linux AMI virtualization types": C1, C3, HI1,
        // HS1, M1, M2, M3, T1), as AWS's DescribeInstanceTypes describes them today (moto 5.2.1's captured
        // instance_types data): HI1 and HS1 are retired and no longer listed. T1, M1, M2 and C1 refuse Linux HVM
        // AMIs ("Non-Windows instances with a virtualization type of 'hvm' are currently not supported for this
        // instance type."); M3 and C3 boot both.
        previous("t1.micro", 1, 627, false, false, CLASSIC_REGIONS);
        previous("m1.small", 1, 1740, false, true, CLASSIC_REGIONS);
        previous("m1.medium", 1, 3788, false, true, CLASSIC_REGIONS);
        previous("m1.large", 2, 7680, false, true, CLASSIC_REGIONS);
        previous("m1.xlarge", 4, 15360, false, true, CLASSIC_REGIONS);
        previous("m2.xlarge", 2, 17510, false, true, CLASSIC_REGIONS);
        previous("c1.medium", 2, 1740, false, true, CLASSIC_REGIONS);
        previous("c1.xlarge", 8, 7168, false, true, CLASSIC_REGIONS);
        previous("m3.medium", 1, 3840, true, true, M3_C3_REGIONS);
        previous("m3.large", 2, 7680, true, true, M3_C3_REGIONS);
        previous("m3.xlarge", 4, 15360, true, true, M3_C3_REGIONS);
        previous("c3.large", 2, 3840, true, true, M3_C3_REGIONS);
        previous("c3.xlarge", 4, 7680, true, true, M3_C3_REGIONS);
    }

    private InstanceTypes() {
    }

    private static void add(String name, String arch, int vcpus, long mem, boolean burstable, boolean uefiOnly,
            boolean tpm) {
        ALL.put(name, new Type(name, arch, vcpus, mem, burstable, uefiOnly, tpm, null));
    }

    private static void previous(String name, int vcpus, long mem, boolean linuxHvm, boolean instanceStore,
            Set<String> regions) {
        ALL.put(name, new Type(name, "x86_64", vcpus, mem, false, false, false,
                new Previous(linuxHvm, instanceStore, regions)));
    }

    private static Set<String> union(Set<String> regions, String more) {
        Set<String> all = new java.util.HashSet<>(regions);
        all.add(more);
        return Set.copyOf(all);
    }

    static List<String> bootModes(Type t) {
        if (!t.currentGeneration()) {
            return List.of("legacy-bios");
        }
        return t.uefiOnly() ? List.of("uefi") : List.of("legacy-bios", "uefi");
    }

    /**
     * Whether RunInstances may put this AMI on this type in this region: the type must be offered there
     * ({@code Unsupported}), and take the AMI's virtualization type ({@code InvalidParameterCombination}, with
     * AWS's messages as users have logged them).
     */
    static void checkLaunchable(Type type, String virtualizationType, String region) {
        if (!type.offeredIn(region)) {
            throw new Ec2Exception("Unsupported", "The requested configuration is currently not supported. "
                    + "Please check the documentation for supported configurations.");
        }
        if ("paravirtual".equals(virtualizationType) && type.currentGeneration()) {
            throw new Ec2Exception("InvalidParameterCombination", "Virtualization type 'hvm' is required for "
                    + "instances of type '" + type.name() + "'. Ensure that you are using an AMI with virtualization "
                    + "type 'hvm'. For more information, see "
                    + "http://docs.aws.amazon.com/AWSEC2/latest/UserGuide/virtualization_types.html");
        }
        if ("hvm".equals(virtualizationType) && !type.currentGeneration() && !type.previous().linuxHvm()) {
            throw new Ec2Exception("InvalidParameterCombination", "Non-Windows instances with a virtualization type "
                    + "of 'hvm' are currently not supported for this instance type.");
        }
    }

    static void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeInstanceTypes", InstanceTypes::describeInstanceTypes);
        actions.put("DescribeInstanceTypeOfferings", InstanceTypes::describeInstanceTypeOfferings);
    }

    /** The types offered in the region (the previous generation only in the regions that still have it). */
    private static DescribeInstanceTypesResponse describeInstanceTypes(RegionState region, Map<String, String> form) {
        DescribeInstanceTypesRequest req = QueryBinder.bind(form, DescribeInstanceTypesRequest.builder());
        for (String t : req.instanceTypesAsStrings()) {
            if (!InstanceTypes.ALL.containsKey(t) || !ALL.get(t).offeredIn(region.name)) {
                throw new Ec2Exception("InvalidInstanceType", "The following supplied instance types do not exist: ["
                        + t + "]");
            }
        }
        List<InstanceTypeInfo> out = new ArrayList<>();
        for (InstanceTypes.Type t : InstanceTypes.ALL.values()) {
            if (!req.instanceTypesAsStrings().isEmpty() && !req.instanceTypesAsStrings().contains(t.name())
                    || !t.offeredIn(region.name)) {
                continue;
            }
            boolean matches = Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "instance-type" -> List.of(t.name());
                case "processor-info.supported-architecture" -> List.of(t.arch());
                case "supported-boot-mode" -> InstanceTypes.bootModes(t);
                case "current-generation" -> List.of(String.valueOf(t.currentGeneration()));
                case "supported-virtualization-type" -> t.virtualizationTypes();
                case "supported-root-device-type" -> rootDeviceTypes(t);
                case "instance-storage-supported" -> List.of(String.valueOf(t.instanceStorage()));
                case "burstable-performance-supported" -> List.of(String.valueOf(t.burstable()));
                case "vcpu-info.default-vcpus" -> List.of(String.valueOf(t.vcpus()));
                case "memory-info.size-in-mib" -> List.of(String.valueOf(t.memoryMiB()));
                case "network-info.ena-support" -> List.of(t.currentGeneration() ? "required" : "unsupported");
                case "nitro-tpm-support" -> List.of(t.tpm() ? "supported" : "unsupported");
                case "hypervisor" -> List.of(t.hypervisor());
                default -> null;
            });
            if (!matches) {
                continue;
            }
            out.add(InstanceTypeInfo.builder()
                    .instanceType(t.name())
                    .currentGeneration(t.currentGeneration())
                    .freeTierEligible(t.name().equals("t3.micro") || t.name().equals("t2.micro"))
                    .supportedUsageClassesWithStrings("on-demand", "spot")
                    .supportedRootDeviceTypesWithStrings(rootDeviceTypes(t))
                    .supportedVirtualizationTypesWithStrings(t.virtualizationTypes())
                    .bareMetal(false)
                    .hypervisor(t.hypervisor())
                    .processorInfo(ProcessorInfo.builder().supportedArchitecturesWithStrings(t.arch())
                            .manufacturer(t.arch().equals("arm64") ? "AWS" : "Intel").build())
                    .vCpuInfo(VCpuInfo.builder().defaultVCpus(t.vcpus()).defaultCores(Math.max(1, t.vcpus() / 2))
                            .defaultThreadsPerCore(t.vcpus() > 1 && t.arch().equals("x86_64") ? 2 : 1).build())
                    .memoryInfo(MemoryInfo.builder().sizeInMiB(t.memoryMiB()).build())
                    .instanceStorageSupported(t.instanceStorage())
                    .burstablePerformanceSupported(t.burstable())
                    .hibernationSupported(t.currentGeneration())
                    .supportedBootModesWithStrings(InstanceTypes.bootModes(t))
                    .nitroTpmSupport(t.tpm() ? "supported" : "unsupported")
                    .build());
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
    }

    private static List<String> rootDeviceTypes(Type t) {
        return t.instanceStorage() ? List.of("ebs", "instance-store") : List.of("ebs");
    }

    /** The types offered in the region, or in each of its zones (LocationType availability-zone). */
    private static DescribeInstanceTypeOfferingsResponse describeInstanceTypeOfferings(RegionState region,
            Map<String, String> form) {
        DescribeInstanceTypeOfferingsRequest req = QueryBinder.bind(form,
                DescribeInstanceTypeOfferingsRequest.builder());
        String locationType = req.locationTypeAsString() == null ? "region" : req.locationTypeAsString();
        List<String> locations = switch (locationType) {
            case "region" -> List.of(region.name);
            case "availability-zone" -> List.copyOf(region.subnetsByZone.keySet());
            default -> throw Ec2Exception.invalidParameterValue("Value (" + locationType
                    + ") for parameter LocationType is invalid. Supported: region, availability-zone");
        };
        List<InstanceTypeOffering> out = new ArrayList<>();
        for (Type t : ALL.values()) {
            for (String location : locations) {
                if (t.offeredIn(region.name) && Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                    case "instance-type" -> List.of(t.name());
                    case "location" -> List.of(location);
                    default -> null;
                })) {
                    out.add(InstanceTypeOffering.builder().instanceType(t.name()).locationType(locationType)
                            .location(location).build());
                }
            }
        }
        return DescribeInstanceTypeOfferingsResponse.builder().instanceTypeOfferings(out).build();
    }
}
