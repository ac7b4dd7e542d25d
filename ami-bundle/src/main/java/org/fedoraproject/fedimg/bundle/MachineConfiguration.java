package org.fedoraproject.fedimg.bundle;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The manifest's {@code machine_configuration}: the target architecture, the block device mapping (virtual
 * name → device, e.g. {@code ami → sda1}, {@code root → /dev/sda1}, {@code ephemeral0 → sdb}) and, for a
 * paravirtual image, the kernel (AKI) PV-GRUB boots it with.
 *
 * @param kernelId an {@code aki-…} id, or null (HVM)
 * @param ramdiskId an {@code ari-…} id, or null
 */
public record MachineConfiguration(String architecture, SortedMap<String, String> blockDeviceMapping,
        String kernelId, String ramdiskId) {

    static final Set<String> ARCHITECTURES = Set.of("i386", "x86_64", "arm64");
    private static final Pattern VIRTUAL = Pattern.compile("[a-z][a-z0-9]{0,31}");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9/_.-]{1,64}");
    private static final Pattern KERNEL = Pattern.compile("aki-[0-9a-f]{8,17}");
    private static final Pattern RAMDISK = Pattern.compile("ari-[0-9a-f]{8,17}");

    public MachineConfiguration {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException("architecture must be one of " + ARCHITECTURES + ": " + architecture);
        }
        Objects.requireNonNull(blockDeviceMapping, "blockDeviceMapping");
        blockDeviceMapping.forEach((virtual, device) -> {
            if (virtual == null || !VIRTUAL.matcher(virtual).matches() || device == null
                    || !DEVICE.matcher(device).matches()) {
                throw new IllegalArgumentException("invalid block device mapping " + virtual + " → " + device);
            }
        });
        // sorted by virtual name, the order the AMI tools write them in
        blockDeviceMapping = Collections.unmodifiableSortedMap(new TreeMap<>(blockDeviceMapping));
        if (kernelId != null && !KERNEL.matcher(kernelId).matches()) {
            throw new IllegalArgumentException("kernel id must be an aki-… id: " + kernelId);
        }
        if (ramdiskId != null && !RAMDISK.matcher(ramdiskId).matches()) {
            throw new IllegalArgumentException("ramdisk id must be an ari-… id: " + ramdiskId);
        }
    }

    public static MachineConfiguration hvm(String architecture, Map<String, String> blockDeviceMapping) {
        return new MachineConfiguration(architecture, new TreeMap<>(blockDeviceMapping), null, null);
    }

    public static MachineConfiguration paravirtual(String architecture, String kernelId,
            Map<String, String> blockDeviceMapping) {
        return new MachineConfiguration(architecture, new TreeMap<>(blockDeviceMapping),
                Objects.requireNonNull(kernelId, "a paravirtual image needs a kernel id"), null);
    }
}
