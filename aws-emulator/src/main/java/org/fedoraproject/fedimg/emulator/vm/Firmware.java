package org.fedoraproject.fedimg.emulator.vm;

/**
 * The firmware an instance boots with, from its AMI's architecture and boot mode as EC2 decides it: arm64 is
 * always UEFI; on x86_64 {@code uefi} and {@code uefi-preferred} (every emulated type that runs x86_64 AMIs
 * here supports UEFI) boot UEFI, {@code legacy-bios} and no boot mode boot legacy BIOS.
 */
public enum Firmware {
    /** OVMF (x86_64) or AAVMF (arm64), with a per-instance copy of the variables. */
    UEFI,
    /** SeaBIOS, QEMU's default x86 firmware. */
    BIOS;

    public static Firmware of(String architecture, String bootMode) {
        if ("arm64".equals(architecture)) {
            return UEFI;
        }
        return "uefi".equals(bootMode) || "uefi-preferred".equals(bootMode) ? UEFI : BIOS;
    }

    /** EC2's name of the mode, as DescribeInstances' currentInstanceBootMode shows it. */
    public String bootMode() {
        return this == UEFI ? "uefi" : "legacy-bios";
    }
}
