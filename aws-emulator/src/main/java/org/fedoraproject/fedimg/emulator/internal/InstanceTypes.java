package org.fedoraproject.fedimg.emulator.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instance types the emulator knows: enough of each family the pipeline tests on. */
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
}
