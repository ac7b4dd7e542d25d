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
import software.amazon.awssdk.services.ec2.model.DiskInfo;
import software.amazon.awssdk.services.ec2.model.InstanceStorageInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/**
 * The instance types the emulator knows and the rules RunInstances applies with them: enough of each current
 * family the pipeline tests on, plus the previous-generation Xen types that AWS still offers in its older regions,
 * the only ones that run paravirtual AMIs (C1, C3, M1, M2, M3, T1) or launch instance-store AMIs (C1, C3, D2, I2,
 * M1, M2, M3, R3, X1; EC2 User Guide). DescribeInstanceTypes (architectures, boot modes, virtualization types,
 * root device types, instance store, filters) and DescribeInstanceTypeOfferings over them.
 */
final class InstanceTypes {

    /**
     * @param xen for a previous-generation type: what it boots, its instance store and where it is offered; null
     *            for a current-generation Nitro type (HVM only, EBS root only, in every region)
     */
    record Type(String name, String arch, int vcpus, long memoryMiB, boolean burstable, boolean uefiOnly,
            boolean tpm, Xen xen) {

        boolean currentGeneration() {
            return xen == null;
        }

        /** As DescribeInstanceTypes lists them (T1, M1, M2 and C1 list hvm but refuse Linux HVM AMIs: {@link Guests}). */
        List<String> virtualizationTypes() {
            return currentGeneration() ? List.of("hvm") : xen.guests().listed();
        }

        boolean offeredIn(String region) {
            return currentGeneration() || xen.regions().contains(region);
        }

        String hypervisor() {
            return currentGeneration() ? "nitro" : "xen";
        }

        /** Instance store volumes, and so the root of an instance-store AMI: only Xen types that have them. */
        boolean instanceStorage() {
            return !currentGeneration() && xen.disks() > 0;
        }
    }

    /** What a Xen type boots, by the virtualization types DescribeInstanceTypes lists and RunInstances accepts. */
    enum Guests {
        /**
         * T1, M1, M2, C1: listed as hvm and paravirtual, but RunInstances refuses Linux HVM AMIs ("Non-Windows
         * instances with a virtualization type of 'hvm' are currently not supported for this instance type.").
         */
        PARAVIRTUAL(List.of("hvm", "paravirtual"), false),
        /** M3, C3: both. */
        BOTH(List.of("hvm", "paravirtual"), true),
        /** R3, I2: HVM only. */
        HVM(List.of("hvm"), true);

        private final List<String> listed;
        private final boolean linuxHvm;

        Guests(List<String> listed, boolean linuxHvm) {
            this.listed = listed;
            this.linuxHvm = linuxHvm;
        }

        List<String> listed() {
            return listed;
        }

        boolean boots(String virtualizationType) {
            return "hvm".equals(virtualizationType) ? linuxHvm : listed.contains(virtualizationType);
        }
    }

    /**
     * A previous-generation type (Xen, legacy BIOS, no ENA): its guests, its instance store ({@code disks} of
     * {@code diskGiB}, none on T1) and the regions that still offer it.
     */
    record Xen(Guests guests, int disks, int diskGiB, String diskType, Set<String> regions) {
    }

    /*
     * Where the previous-generation types are still offered, as AWS's own DescribeInstanceTypeOfferings answers
     * (captured in moto 5.2.1's instance_type_offerings data): T1, M1, M2, C1 in the regions opened before 2014;
     * M3 and C3 there and in eu-central-1; R3 and I2 also in the regions opened up to 2016 (I2 not in sa-east-1).
     * Every region opened since has none.
     */
    private static final Set<String> CLASSIC_REGIONS = Set.of("us-east-1", "us-west-1", "us-west-2", "eu-west-1",
            "ap-northeast-1", "ap-southeast-1", "ap-southeast-2", "sa-east-1");
    private static final Set<String> M3_C3_REGIONS = union(CLASSIC_REGIONS, "eu-central-1");
    private static final Set<String> R3_REGIONS = union(M3_C3_REGIONS, "us-east-2", "ap-south-1", "ap-northeast-2");
    private static final Set<String> I2_REGIONS = R3_REGIONS.stream().filter(r -> !r.equals("sa-east-1"))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

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
        // As AWS's DescribeInstanceTypes describes them today (moto 5.2.1's captured instance_types data). HI1 and
        // HS1, also paravirtual-capable, are retired and no longer listed; D2 and X1 are left out (no test needs
        // such large instance-store types).
        xen("t1.micro", 1, 627, Guests.PARAVIRTUAL, 0, 0, null, CLASSIC_REGIONS);
        xen("m1.small", 1, 1740, Guests.PARAVIRTUAL, 1, 160, "hdd", CLASSIC_REGIONS);
        xen("m1.medium", 1, 3788, Guests.PARAVIRTUAL, 1, 410, "hdd", CLASSIC_REGIONS);
        xen("m1.large", 2, 7680, Guests.PARAVIRTUAL, 2, 420, "hdd", CLASSIC_REGIONS);
        xen("m1.xlarge", 4, 15360, Guests.PARAVIRTUAL, 4, 420, "hdd", CLASSIC_REGIONS);
        xen("m2.xlarge", 2, 17510, Guests.PARAVIRTUAL, 1, 420, "hdd", CLASSIC_REGIONS);
        xen("c1.medium", 2, 1740, Guests.PARAVIRTUAL, 1, 350, "hdd", CLASSIC_REGIONS);
        xen("c1.xlarge", 8, 7168, Guests.PARAVIRTUAL, 4, 420, "hdd", CLASSIC_REGIONS);
        xen("m3.medium", 1, 3840, Guests.BOTH, 1, 4, "ssd", M3_C3_REGIONS);
        xen("m3.large", 2, 7680, Guests.BOTH, 1, 32, "ssd", M3_C3_REGIONS);
        xen("m3.xlarge", 4, 15360, Guests.BOTH, 2, 40, "ssd", M3_C3_REGIONS);
        xen("c3.large", 2, 3840, Guests.BOTH, 2, 16, "ssd", M3_C3_REGIONS);
        xen("c3.xlarge", 4, 7680, Guests.BOTH, 2, 40, "ssd", M3_C3_REGIONS);
        xen("r3.large", 2, 15360, Guests.HVM, 1, 32, "ssd", R3_REGIONS);
        xen("i2.xlarge", 4, 31232, Guests.HVM, 1, 800, "ssd", I2_REGIONS);
    }

    private InstanceTypes() {
    }

    private static void add(String name, String arch, int vcpus, long mem, boolean burstable, boolean uefiOnly,
            boolean tpm) {
        ALL.put(name, new Type(name, arch, vcpus, mem, burstable, uefiOnly, tpm, null));
    }

    private static void xen(String name, int vcpus, long mem, Guests guests, int disks, int diskGiB, String diskType,
            Set<String> regions) {
        ALL.put(name, new Type(name, "x86_64", vcpus, mem, false, false, false,
                new Xen(guests, disks, diskGiB, diskType, regions)));
    }

    private static Set<String> union(Set<String> regions, String... more) {
        Set<String> all = new java.util.HashSet<>(regions);
        all.addAll(List.of(more));
        return Set.copyOf(all);
    }

    static List<String> bootModes(Type t) {
        if (!t.currentGeneration()) {
            return List.of("legacy-bios");
        }
        return t.uefiOnly() ? List.of("uefi") : List.of("legacy-bios", "uefi");
    }

    static List<String> rootDeviceTypes(Type t) {
        return t.instanceStorage() ? List.of("ebs", "instance-store") : List.of("ebs");
    }

    /**
     * Whether RunInstances may put an AMI with this root and virtualization type on this type in this region, with
     * AWS's errors and messages as users have logged them. The checks go from the type to the AMI's root to its
     * guest: a type the region does not offer is {@code Unsupported}; an instance-store AMI on a type without an
     * instance store is {@code UnsupportedOperation}, even when the virtualization type would not fit either (no
     * AWS document gives the order: RightScale's knowledge base logged this error for a non-HVM instance-store
     * image on a t2.small); then the virtualization type ({@code InvalidParameterCombination}).
     */
    static void checkLaunchable(Type type, String imageId, boolean instanceStoreRoot, String virtualizationType,
            String region) {
        if (!type.offeredIn(region)) {
            throw new Ec2Exception("Unsupported", "The requested configuration is currently not supported. "
                    + "Please check the documentation for supported configurations.");
        }
        if (instanceStoreRoot && !type.instanceStorage()) {
            throw new Ec2Exception("UnsupportedOperation", "AMI '" + imageId + "' with an instance-store root "
                    + "device is not supported for the instance type '" + type.name() + "'.");
        }
        if (type.currentGeneration() ? !"hvm".equals(virtualizationType)
                : !type.xen().guests().boots(virtualizationType)) {
            throw new Ec2Exception("InvalidParameterCombination", "hvm".equals(virtualizationType)
                    ? "Non-Windows instances with a virtualization type of 'hvm' are currently not supported for "
                            + "this instance type."
                    : "Virtualization type 'hvm' is required for instances of type '" + type.name() + "'. Ensure "
                            + "that you are using an AMI with virtualization type 'hvm'. For more information, see "
                            + "http://docs.aws.amazon.com/AWSEC2/latest/UserGuide/virtualization_types.html");
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
            InstanceTypeInfo.Builder info = InstanceTypeInfo.builder()
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
                    .nitroTpmSupport(t.tpm() ? "supported" : "unsupported");
            if (t.instanceStorage()) {
                info.instanceStorageInfo(InstanceStorageInfo.builder()
                        .totalSizeInGB((long) t.xen().disks() * t.xen().diskGiB())
                        .disks(DiskInfo.builder().count(t.xen().disks()).sizeInGB((long) t.xen().diskGiB())
                                .type(t.xen().diskType()).build())
                        .build());
            }
            out.add(info.build());
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
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
