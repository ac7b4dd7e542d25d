package org.fedoraproject.fedimg.emulator.vm;

import java.time.Duration;
import java.util.List;

/**
 * Whether a guest booted, from what it has shown (test-images/README.md, "A disk that does not boot"): the
 * status checks are {@code ok} once the kernel printed its banner or the guest asked the metadata service;
 * {@code impaired} as soon as the firmware or the guest says the disk does not boot, or when no kernel shows
 * within a bound after QEMU started (a UEFI-only disk under SeaBIOS prints nothing at all); else
 * {@code initializing}. Pure.
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
     * @param metadataAsked whether the guest has made a request to its metadata service
     * @param kernelBound how long the firmware and boot loader may take before a kernel must show
     */
    public static Verdict judge(String console, Duration sinceStart, boolean metadataAsked, Duration kernelBound) {
        for (String failure : FAILURES) {
            int at = console.indexOf(failure);
            if (at >= 0) {
                return new Verdict("impaired", "the instance did not boot: " + line(console, at));
            }
        }
        if (metadataAsked || console.contains(KERNEL)) {
            return new Verdict("ok", null);
        }
        if (sinceStart.compareTo(kernelBound) >= 0) {
            return new Verdict("impaired", "the instance did not boot: no kernel on the console "
                    + kernelBound.toSeconds() + " s after it started (firmware found nothing bootable)");
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
