package org.fedoraproject.fedimg.emulator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The QEMU command lines of test-images/README.md's recipes. */
class QemuCommandTest {

    private static final QemuHost.Flash OVMF = new QemuHost.Flash(Path.of("/fw/CODE.fd"), Path.of("/fw/VARS.fd"));

    private static QemuCommand command(String arch, Firmware firmware, String accel) {
        return new QemuCommand(Path.of("/usr/bin/qemu"), arch, firmware, accel, OVMF, Path.of("/i/vars.fd"),
                Path.of("/i/root.qcow2"), List.of(Path.of("/v/vol-1.img")), 512, Path.of("/bin/busybox"), 40000,
                "127.100.0.2", 2222, Path.of("/i/console.log"), Path.of("/usr/bin/setpriv"));
    }

    @Test
    void uefiOnX86() {
        String line = String.join(" ", command("x86_64", Firmware.UEFI, "tcg").args());
        assertTrue(line.startsWith("/usr/bin/setpriv --pdeathsig KILL -- /usr/bin/qemu -machine q35,graphics=off"), line);
        assertTrue(line.contains("-accel tcg"), line);
        assertTrue(line.contains("if=pflash,format=raw,unit=0,readonly=on,file=/fw/CODE.fd"), line);
        assertTrue(line.contains("if=pflash,format=raw,unit=1,file=/i/vars.fd"), line);
        assertTrue(line.contains("file=/i/root.qcow2"), line);
        assertTrue(line.contains("format=raw,file=/v/vol-1.img"), line);
        assertTrue(line.contains("guestfwd=tcp:169.254.169.254:80-cmd:/bin/busybox nc 127.0.0.1 40000"), line);
        assertTrue(line.contains("hostfwd=tcp:127.100.0.2:2222-:22"), line);
        assertTrue(line.endsWith("-serial file:/i/console.log"), line);
        assertTrue(line.contains("-no-reboot"), line);
    }

    @Test
    void legacyBiosHasNoFlashAndArmHasItsMachine() {
        assertFalse(String.join(" ", command("x86_64", Firmware.BIOS, "tcg").args()).contains("pflash"));
        List<String> arm = command("arm64", Firmware.UEFI, "tcg").args();
        assertEquals("virt", arm.get(arm.indexOf("-machine") + 1));
        assertEquals("cortex-a57", arm.get(arm.indexOf("-cpu") + 1));
        List<String> kvm = command("x86_64", Firmware.UEFI, "kvm").args();
        assertEquals("host", kvm.get(kvm.indexOf("-cpu") + 1));
    }
}
