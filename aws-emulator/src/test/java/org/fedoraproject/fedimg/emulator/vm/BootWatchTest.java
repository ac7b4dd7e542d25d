package org.fedoraproject.fedimg.emulator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Status checks from a guest's console, with the consoles of test-images/README.md's failed boots. */
class BootWatchTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void aKernelBannerOrAMetadataRequestMeansBooted() {
        assertEquals("ok", BootWatch.judge("BdsDxe: loading Boot0001\n[    0.000000] Linux version 6.1.0-57-cloud-amd64",
                Duration.ofSeconds(9), Duration.ofSeconds(2), false, BOUND).status());
        assertEquals("ok", BootWatch.judge("", Duration.ofSeconds(9), null, true, BOUND).status());
        assertEquals("initializing", BootWatch.judge("SeaBIOS (version 1.16.2)\n", Duration.ofSeconds(9),
                Duration.ofSeconds(8), false, BOUND).status());
        // OVMF under load: silent for longer than the bound, then its first line; still booting
        assertEquals("initializing", BootWatch.judge("BdsDxe: loading Boot0001 \"UEFI Misc Device\"\n",
                Duration.ofSeconds(45), Duration.ofSeconds(1), false, BOUND).status());
    }

    @Test
    void whatTheFirmwareOrGuestSaysAboutABadDiskIsImpaired() {
        for (String console : List.of("Booting from Hard Disk...\nBoot failed: not a bootable disk\n\nNo bootable device.",
                "\u001b[2J BdsDxe: failed to load Boot0001 \"UEFI Misc Device\" from PciRoot(0x0): Not Found\r\n",
                "EFI stub: ERROR: efi_stub_entry() failed!\nBdsDxe: failed to start Boot0001 \"UEFI Misc Device\"",
                "Linux version 6.1\nfedimg-image: BOOT FAILED: /dev/vda1: files differ from the image\n",
                "Linux version 6.1\nKernel panic - not syncing: VFS: Unable to mount root fs")) {
            BootWatch.Verdict v = BootWatch.judge(console, Duration.ofSeconds(5), Duration.ofSeconds(1), false, BOUND);
            assertEquals("impaired", v.status(), console);
            assertTrue(v.reason().startsWith("the instance did not boot: "), v.reason());
            assertTrue(!v.reason().contains("\u001b") && !v.reason().contains("\r"), v.reason());
        }
    }

    @Test
    void firmwareThatFindsNothingToSayIsImpairedAfterTheBound() {
        // a UEFI-only disk under SeaBIOS: the CPU spins in the protective MBR, nothing more is printed
        String console = "SeaBIOS (version 1.16.2)\nBooting from Hard Disk...\n";
        assertEquals("initializing", BootWatch.judge(console, Duration.ofSeconds(35), Duration.ofSeconds(29), false,
                BOUND).status());
        BootWatch.Verdict v = BootWatch.judge(console, Duration.ofSeconds(36), Duration.ofSeconds(30), false, BOUND);
        assertEquals("impaired", v.status());
        assertTrue(v.reason().contains("no kernel"), v.reason());
        // nothing at all: three bounds after QEMU started
        assertEquals("initializing", BootWatch.judge("", Duration.ofSeconds(89), null, false, BOUND).status());
        assertTrue(BootWatch.judge("", Duration.ofSeconds(90), null, false, BOUND).reason().contains("no console output"));
    }

    @Test
    void theFirmwareFollowsArchitectureAndBootMode() {
        assertEquals(Firmware.UEFI, Firmware.of("x86_64", "uefi"));
        assertEquals(Firmware.UEFI, Firmware.of("x86_64", "uefi-preferred"));
        assertEquals(Firmware.BIOS, Firmware.of("x86_64", "legacy-bios"));
        assertEquals(Firmware.BIOS, Firmware.of("x86_64", null));
        assertEquals(Firmware.UEFI, Firmware.of("arm64", null));
    }
}
