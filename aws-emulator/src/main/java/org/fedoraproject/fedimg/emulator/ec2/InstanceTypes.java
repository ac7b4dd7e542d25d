package org.fedoraproject.fedimg.emulator.ec2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.http.QueryBinder;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceTypesResponse;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.MemoryInfo;
import software.amazon.awssdk.services.ec2.model.ProcessorInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/**
 * The instance types the emulator knows, enough of each family the pipeline tests on, and
 * DescribeInstanceTypes (architectures, boot modes, filters) over them.
 */
final class InstanceTypes {

    record Type(String name, String arch, int vcpus, long memoryMiB, boolean burstable, boolean uefiOnly,
            boolean tpm) {
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
    }

    private InstanceTypes() {
    }

    private static void add(String name, String arch, int vcpus, long mem, boolean burstable, boolean uefiOnly,
            boolean tpm) {
        ALL.put(name, new Type(name, arch, vcpus, mem, burstable, uefiOnly, tpm));
    }

    static List<String> bootModes(Type t) {
        return t.uefiOnly() ? List.of("uefi") : List.of("legacy-bios", "uefi");
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
                case "current-generation" -> List.of("true");
                case "burstable-performance-supported" -> List.of(String.valueOf(t.burstable()));
                case "vcpu-info.default-vcpus" -> List.of(String.valueOf(t.vcpus()));
                case "memory-info.size-in-mib" -> List.of(String.valueOf(t.memoryMiB()));
                case "network-info.ena-support" -> List.of("required");
                case "nitro-tpm-support" -> List.of(t.tpm() ? "supported" : "unsupported");
                case "hypervisor" -> List.of("nitro");
                default -> null;
            });
            if (!matches) {
                continue;
            }
            out.add(InstanceTypeInfo.builder()
                    .instanceType(t.name())
                    .currentGeneration(true)
                    .freeTierEligible(t.name().equals("t3.micro") || t.name().equals("t2.micro"))
                    .supportedUsageClassesWithStrings("on-demand", "spot")
                    .supportedRootDeviceTypesWithStrings("ebs")
                    .supportedVirtualizationTypesWithStrings("hvm")
                    .bareMetal(false)
                    .hypervisor("nitro")
                    .processorInfo(ProcessorInfo.builder().supportedArchitecturesWithStrings(t.arch())
                            .manufacturer(t.arch().equals("arm64") ? "AWS" : "Intel").build())
                    .vCpuInfo(VCpuInfo.builder().defaultVCpus(t.vcpus()).defaultCores(Math.max(1, t.vcpus() / 2))
                            .defaultThreadsPerCore(t.vcpus() > 1 && t.arch().equals("x86_64") ? 2 : 1).build())
                    .memoryInfo(MemoryInfo.builder().sizeInMiB(t.memoryMiB()).build())
                    .instanceStorageSupported(false)
                    .burstablePerformanceSupported(t.burstable())
                    .hibernationSupported(true)
                    .supportedBootModesWithStrings(InstanceTypes.bootModes(t))
                    .nitroTpmSupport(t.tpm() ? "supported" : "unsupported")
                    .build());
        }
        return DescribeInstanceTypesResponse.builder().instanceTypes(out).build();
    }
}
