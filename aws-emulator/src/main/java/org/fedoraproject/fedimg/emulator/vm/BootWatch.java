package org.fedoraproject.fedimg.emulator.vm;

import java.time.Duration;
import java.util.List;

/**
 * Whether a guest booted, from what it has shown (test-images/README.md, "A disk that does not boot"): the
 * status checks are {@code ok} once the kernel printed its banner or the guest asked the metadata service;
 * {@code impaired} as soon as the firmware or the guest says the disk does not boot, or when no kernel shows
 * within a bound after the firmware's first output (a UEFI-only disk under SeaBIOS prints nothing more), or
 * nothing at all within three bounds of QEMU's start; else {@code initializing}. The bound counts from the
 * firmware's output, not from QEMU's start, because OVMF's own start-up (silent on the serial port) stretches
 * with the host's load and the number of VMs. Pure.
 */
public final class BootWatch {

    /** What the firmware, the boot loader or the guest print when the disk does not boot. */
    static final List<String> FAILURES = List.of("No bootable device", "BdsDxe: failed to load Boot",
            "BdsDxe: failed to start Boot", "UEFI Interactive Shell", "fedimg-image: BOOT FAILED", "Kernel panic");
    static final String KERNEL = "Linux version";

    /** The checks' state and why. */
    public record Verdict(String status, String reason) {
    }

    private BootWatch() {
    }

    /**
     * @param console what the serial console shows so far
     * @param sinceStart how long QEMU has been running
     * @param sinceOutput how long since the console first showed anything (null: nothing yet)
     * @param metadataAsked whether the guest has made a request to its metadata service
     * @param kernelBound how long the firmware and boot loader may take, after their first output, before a
     *     kernel must show
     */
    public static Verdict judge(String console, Duration sinceStart, Duration sinceOutput, boolean metadataAsked,
            Duration kernelBound) {
        for (String failure : FAILURES) {
            int at = console.indexOf(failure);
            if (at >= 0) {
                return new Verdict("impaired", "the instance did not boot: " + line(console, at));
            }
        }
        if (metadataAsked || console.contains(KERNEL)) {
            return new Verdict("ok", null);
        }
        if (sinceOutput != null && sinceOutput.compareTo(kernelBound) >= 0) {
            return new Verdict("impaired", "the instance did not boot: no kernel on the console "
                    + kernelBound.toSeconds() + " s after the firmware's first output (it found nothing bootable)");
        }
        if (sinceOutput == null && sinceStart.compareTo(kernelBound.multipliedBy(3)) >= 0) {
            return new Verdict("impaired", "the instance did not boot: no console output at all "
                    + kernelBound.multipliedBy(3).toSeconds() + " s after it started");
        }
        return new Verdict("initializing", null);
    }

    private static String line(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        String line = text.substring(start, end < 0 ? text.length() : end);
        // firmware screens carry escape sequences and carriage returns
        return line.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "").strip();
    }
}
