package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.DiskInfo;
import software.amazon.awssdk.services.ec2.model.InstanceStorageInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/**
 * The instance types the emulator knows, enough of each family the pipeline tests on, and
 * DescribeInstanceTypes (architectures, boot modes, filters) over them. Besides the current Nitro types, a few
 * previous-generation Xen types: the only ones AWS launches instance-store AMIs on (C1, C3, D2, I2, M1, M2,
 * M3, R3 and X1, per the EC2 User Guide), and the only ones that run paravirtual AMIs (C1, C3, M1, M2, M3, T1).
 */
final class InstanceTypes {

    /**
     * @param xen for a previous-generation type: its virtualization types and instance store; null for Nitro
     */
    record Type(String name, String arch, int vcpus, long memoryMiB, boolean burstable, boolean uefiOnly,
            boolean tpm, Xen xen) {
    }

    /** A Xen type's virtualization types and its instance store volumes (the root of an instance-store AMI). */
    record Xen(Set<String> virtualization, int disks, int diskGiB, String diskType) {
    }

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
        xen("m1.small", 1, 1740, Set.of("paravirtual"), 1, 160, "hdd");
        xen("m1.large", 2, 7680, Set.of("paravirtual"), 2, 420, "hdd");
        xen("c1.medium", 2, 1740, Set.of("paravirtual"), 1, 350, "hdd");
        xen("m3.medium", 1, 3840, Set.of("hvm", "paravirtual"), 1, 4, "ssd");
        xen("m3.large", 2, 7680, Set.of("hvm", "paravirtual"), 1, 32, "ssd");
        xen("c3.large", 2, 3840, Set.of("hvm", "paravirtual"), 2, 16, "ssd");
        xen("r3.large", 2, 15616, Set.of("hvm"), 1, 32, "ssd");
        xen("i2.xlarge", 4, 31232, Set.of("hvm"), 1, 800, "ssd");
    }

    private InstanceTypes() {
    }

    private static void add(String name, String arch, int vcpus, long mem, boolean burstable, boolean uefiOnly,
            boolean tpm) {
        ALL.put(name, new Type(name, arch, vcpus, mem, burstable, uefiOnly, tpm, null));
    }

    private static void xen(String name, int vcpus, long mem, Set<String> virtualization, int disks, int diskGiB,
            String diskType) {
        ALL.put(name, new Type(name, "x86_64", vcpus, mem, false, false, false,
                new Xen(virtualization, disks, diskGiB, diskType)));
    }

    static List<String> bootModes(Type t) {
        if (t.xen() != null) {
            return List.of("legacy-bios");
        }
        return t.uefiOnly() ? List.of("uefi") : List.of("legacy-bios", "uefi");
    }

    static Set<String> virtualizationTypes(Type t) {
        return t.xen() != null ? t.xen().virtualization() : Set.of("hvm");
    }

    /** Whether AWS launches an instance-store AMI on it: only the Xen types with an instance store. */
    static boolean instanceStoreRoot(Type t) {
        return t.xen() != null;
    }

    static List<String> rootDeviceTypes(Type t) {
        return instanceStoreRoot(t) ? List.of("ebs", "instance-store") : List.of("ebs");
    }

    static void register(Map<String, Ec2Api.Handler> actions) {
        actions.put("DescribeInstanceTypes", InstanceTypes::describeInstanceTypes);
    }

    private static DescribeInstanceTypesResponse describeInstanceTypes(RegionState region, Map<String, String> form) {
        DescribeInstanceTypesRequest req = QueryBinder.bind(form, DescribeInstanceTypesRequest.builder());
        for (String t : req.instanceTypesAsStrings()) {
            if (!InstanceTypes.ALL.containsKey(t)) {
                throw new Ec2Exception("InvalidInstanceType", "The following supplied instance types do not exist: [" + t + "]");
            }
        }
        List<InstanceTypeInfo> out = new ArrayList<>();
        for (InstanceTypes.Type t : InstanceTypes.ALL.values()) {
            if (!req.instanceTypesAsStrings().isEmpty() && !req.instanceTypesAsStrings().contains(t.name())) {
                continue;
            }
            boolean matches = Filters.matches(req.filters(), Map.of(), f -> switch (f) {
                case "instance-type" -> List.of(t.name());
                case "processor-info.supported-architecture" -> List.of(t.arch());
                case "supported-boot-mode" -> InstanceTypes.bootModes(t);
                case "current-generation" -> List.of(String.valueOf(t.xen() == null));
                case "supported-root-device-type" -> rootDeviceTypes(t);
                case "supported-virtualization-type" -> List.copyOf(virtualizationTypes(t));
                case "instance-storage-supported" -> List.of(String.valueOf(t.xen() != null));
                case "burstable-performance-supported" -> List.of(String.valueOf(t.burstable()));
                case "vcpu-info.default-vcpus" -> List.of(String.valueOf(t.vcpus()));
                case "memory-info.size-in-mib" -> List.of(String.valueOf(t.memoryMiB()));
                case "network-info.ena-support" -> List.of(t.xen() != null ? "unsupported" : "required");
                case "nitro-tpm-support" -> List.of(t.tpm() ? "supported" : "unsupported");
                case "hypervisor" -> List.of(t.xen() != null ? "xen" : "nitro");
                default -> null;
            });
            if (!matches) {
                continue;
            }
            InstanceTypeInfo.Builder info = InstanceTypeInfo.builder()
                    .instanceType(t.name())
                    .currentGeneration(t.xen() == null)
                    .freeTierEligible(t.name().equals("t3.micro") || t.name().equals("t2.micro"))
                    .supportedUsageClassesWithStrings("on-demand", "spot")
                    .supportedRootDeviceTypesWithStrings(rootDeviceTypes(t))
                    .supportedVirtualizationTypesWithStrings(List.copyOf(virtualizationTypes(t)))
                    .bareMetal(false)
                    .hypervisor(t.xen() != null ? "xen" : "nitro")
                    .processorInfo(ProcessorInfo.builder().supportedArchitecturesWithStrings(t.arch())
                            .manufacturer(t.arch().equals("arm64") ? "AWS" : "Intel").build())
                    .vCpuInfo(VCpuInfo.builder().defaultVCpus(t.vcpus()).defaultCores(Math.max(1, t.vcpus() / 2))
                            .defaultThreadsPerCore(t.vcpus() > 1 && t.arch().equals("x86_64") ? 2 : 1).build())
                    .memoryInfo(MemoryInfo.builder().sizeInMiB(t.memoryMiB()).build())
                    .instanceStorageSupported(t.xen() != null)
                    .burstablePerformanceSupported(t.burstable())
                    .hibernationSupported(t.xen() == null)
                    .supportedBootModesWithStrings(InstanceTypes.bootModes(t))
                    .nitroTpmSupport(t.tpm() ? "supported" : "unsupported");
            if (t.xen() != null) {
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
}
