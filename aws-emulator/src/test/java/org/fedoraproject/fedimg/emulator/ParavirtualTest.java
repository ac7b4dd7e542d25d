package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeOffering;

/**
 * Paravirtual AMIs launch only on the previous-generation types that boot them, in the regions that still
 * offer those; RunInstances refuses the rest with AWS's errors.
 */
class ParavirtualTest extends EmulatorTest {

    static String paravirtualImage(String region, String name) {
        String snap = sdk.uploadSnapshot(region, 1, Map.of(0, Sdk.block(0)), Map.of());
        return ec2(region).registerImage(Sdk.fedoraRegistration(name, snap).toBuilder().virtualizationType(
                "paravirtual").kernelId("aki-919dcaf8").bootMode((String) null).enaSupport(false).build()).join()
                .imageId();
    }

    @Test
    void aParavirtualAmiRunsOnM3AndC3ButNotOnCurrentGenerationTypes() {
        String pv = paravirtualImage(US_EAST_1, "Fedora-Cloud-Base-PV");
        assertAwsError(() -> run(US_EAST_1, pv, "t3.micro"), "InvalidParameterCombination").hasMessageContaining(
                "Virtualization type 'hvm' is required for instances of type 't3.micro'.");
        assertAwsError(() -> run(US_EAST_1, pv, "m5.large"), "InvalidParameterCombination");
        String id = run(US_EAST_1, pv, "m3.medium");
        assertThat(ec2().describeInstances(r -> r.instanceIds(id)).join().reservations().get(0).instances().get(0)
                .virtualizationTypeAsString()).isEqualTo("paravirtual");
        run(US_EAST_1, pv, "c3.large");
        run(US_EAST_1, pv, "m1.small");
    }

    @Test
    void t1M1M2C1RefuseLinuxHvmAmisWhileM3AndC3TakeBoth() {
        String hvm = registeredImage(US_EAST_1, "Fedora-Cloud-Base-HVM");
        assertAwsError(() -> run(US_EAST_1, hvm, "m1.small"), "InvalidParameterCombination").hasMessageContaining(
                "Non-Windows instances with a virtualization type of 'hvm' are currently not supported for this "
                        + "instance type.");
        assertAwsError(() -> run(US_EAST_1, hvm, "t1.micro"), "InvalidParameterCombination");
        run(US_EAST_1, hvm, "m3.medium");
    }

    @Test
    void regionsOpenedSince2014HaveNoPreviousGenerationTypes() {
        String pv = paravirtualImage("eu-north-1", "Fedora-Cloud-Base-PV");
        assertAwsError(() -> run("eu-north-1", pv, "m3.medium"), "Unsupported").hasMessageContaining(
                "The requested configuration is currently not supported.");
        assertAwsError(() -> run("eu-north-1", pv, "t3.micro"), "InvalidParameterCombination");
        assertThat(ec2("eu-north-1").describeInstanceTypes(r -> r.filters(filter("supported-virtualization-type",
                "paravirtual"))).join().instanceTypes()).isEmpty();
        // eu-central-1 kept M3 and C3 only.
        assertThat(offered("eu-central-1", "m3.medium", "m1.small", "t3.micro")).containsExactly("t3.micro",
                "m3.medium");
        assertThat(offered("eu-north-1", "m3.medium", "m1.small", "t3.micro")).containsExactly("t3.micro");
        assertThat(offered(US_EAST_1, "m3.medium", "m1.small", "t3.micro")).containsExactly("t3.micro", "m1.small",
                "m3.medium");
    }

    @Test
    void describeInstanceTypesKnowsWhichTypesBootParavirtual() {
        InstanceTypeInfo m3 = ec2().describeInstanceTypes(r -> r.instanceTypesWithStrings("m3.medium")).join()
                .instanceTypes().get(0);
        assertThat(m3.supportedVirtualizationTypesAsStrings()).containsExactly("hvm", "paravirtual");
        assertThat(m3.currentGeneration()).isFalse();
        assertThat(m3.hypervisorAsString()).isEqualTo("xen");
        assertThat(m3.supportedBootModesAsStrings()).containsExactly("legacy-bios");
        assertThat(ec2().describeInstanceTypes(r -> r.filters(filter("supported-virtualization-type", "paravirtual")))
                .join().instanceTypes()).extracting(InstanceTypeInfo::instanceTypeAsString)
                .contains("t1.micro", "m1.small", "m2.xlarge", "c1.medium", "m3.medium", "c3.large")
                .allMatch(t -> t.matches("(t1|m1|m2|c1|m3|c3)\\..*"));
        assertThat(ec2().describeInstanceTypes(r -> r.instanceTypesWithStrings("t3.micro")).join().instanceTypes()
                .get(0).supportedVirtualizationTypesAsStrings()).containsExactly("hvm");
        assertAwsError(() -> ec2("eu-north-1").describeInstanceTypes(r -> r.instanceTypesWithStrings("m3.medium"))
                .join(), "InvalidInstanceType");
    }

    private static java.util.List<String> offered(String region, String... types) {
        return ec2(region).describeInstanceTypeOfferings(r -> r.filters(filter("instance-type", types))).join()
                .instanceTypeOfferings().stream().map(InstanceTypeOffering::instanceTypeAsString).toList();
    }

    private static String run(String region, String ami, String type) {
        return ec2(region).runInstances(r -> r.imageId(ami).instanceType(type).minCount(1).maxCount(1)).join()
                .instances().get(0).instanceId();
    }

    private static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }
}
