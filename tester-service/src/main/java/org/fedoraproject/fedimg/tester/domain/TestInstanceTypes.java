package org.fedoraproject.fedimg.tester.domain;

import java.util.Map;
import java.util.Optional;

/**
 * Which instance type boots an AMI under test. Current-generation (Nitro) types run HVM guests from EBS roots
 * only: a paravirtual AMI needs a Xen type that runs paravirtual guests (C1, C3, M1, M2, M3, T1, ...), and an
 * instance-store AMI a Xen type with an instance store (every one of those but t1.micro) — EC2 refuses other
 * combinations at RunInstances (aws-realities.md; the emulator holds the same rules). None of them is arm64.
 *
 * @param byArchitecture EC2 architecture → type for HVM EBS AMIs ({@code fedimg.tester.instance-types})
 * @param paravirtual the type for paravirtual AMIs, EBS or instance-store ({@code paravirtual-instance-type})
 * @param instanceStoreHvm the type for HVM instance-store AMIs ({@code instance-store-instance-type})
 */
public record TestInstanceTypes(Map<String, String> byArchitecture, String paravirtual, String instanceStoreHvm) {

    public static final String PARAVIRTUAL = "paravirtual";

    /** The type, or empty with nothing configured for it (a CONFIGURATION_ERROR for the caller). */
    public Optional<String> choose(String architecture, String virtualizationType, boolean instanceStore) {
        boolean pv = PARAVIRTUAL.equals(virtualizationType);
        if (!pv && !instanceStore) {
            return Optional.ofNullable(byArchitecture.get(architecture));
        }
        if (!"x86_64".equals(architecture)) {
            return Optional.empty(); // no Xen type runs arm64
        }
        return Optional.of(pv ? paravirtual : instanceStoreHvm);
    }

    /** Which key to set when {@link #choose} is empty. */
    public static String keyFor(String virtualizationType, boolean instanceStore) {
        if (PARAVIRTUAL.equals(virtualizationType)) {
            return "fedimg.tester.paravirtual-instance-type (x86_64 only)";
        }
        return instanceStore ? "fedimg.tester.instance-store-instance-type (x86_64 only)"
                : "fedimg.tester.instance-types.<arch>";
    }
}
