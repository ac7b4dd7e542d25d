package org.fedoraproject.fedimg.emulator.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of one instance (test-images/README.md's recipes, verified by boot-check.sh): the
 * machine from the architecture (q35, or virt with a Cortex-A57 under TCG), the firmware from the boot mode
 * (pflash code read-only plus the instance's own copy of the variables; none for SeaBIOS), the root overlay and
 * further volumes as virtio disks, user networking on 169.254.0.0/16 with the metadata address forwarded, for
 * each connection, to the instance's metadata service on loopback, and its ssh port forwarded from its own
 * loopback address. The serial console goes to a file; a guest power-off ends QEMU ({@code -no-reboot}).
 */
public record QemuCommand(Path qemu, String architecture, Firmware firmware, String accel, QemuHost.Flash flash,
        Path vars, Path root, List<Path> volumes, int memoryMiB, Path busybox, int metadataPort, String sshAddress,
        int sshPort, Path console, Path setpriv) {

    public List<String> args() {
        List<String> a = new ArrayList<>();
        if (setpriv != null) {
            // QEMU gets SIGKILL when the emulator's process (the thread that started it) dies, even by kill -9
            a.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"));
        }
        a.add(qemu.toString());
        boolean arm = "arm64".equals(architecture);
        if (arm) {
            a.addAll(List.of("-machine", "virt", "-cpu", "kvm".equals(accel) ? "host" : "cortex-a57"));
        } else {
            // graphics=off: only then does SeaBIOS write to the serial port
            a.addAll(List.of("-machine", "q35,graphics=off"));
            if ("kvm".equals(accel)) {
                a.addAll(List.of("-cpu", "host"));
            }
        }
        a.addAll(List.of("-accel", accel));
        if (firmware == Firmware.UEFI) {
            a.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + flash.code(),
                    "-drive", "if=pflash,format=raw,unit=1,file=" + vars));
        }
        a.addAll(List.of("-m", String.valueOf(memoryMiB), "-smp", "1", "-nodefaults", "-display", "none",
                "-no-reboot"));
        a.addAll(List.of("-drive", "if=none,id=root,format=qcow2,file=" + root,
                "-device", "virtio-blk-pci,drive=root"));
        for (int i = 0; i < volumes.size(); i++) {
            a.addAll(List.of("-drive", "if=none,id=vol" + i + ",format=raw,file=" + volumes.get(i),
                    "-device", "virtio-blk-pci,drive=vol" + i));
        }
        // guestfwd's cmd: form starts the relay for each connection (the tcp: form carries only the first one)
        String net = "user,id=net0,net=169.254.0.0/16,host=169.254.0.2,"
                + "guestfwd=tcp:169.254.169.254:80-cmd:" + busybox + " nc 127.0.0.1 " + metadataPort;
        if (sshAddress != null) {
            net += ",hostfwd=tcp:" + sshAddress + ":" + sshPort + "-:22";
        }
        // romfile= keeps SeaBIOS from trying iPXE when the disk does not boot
        a.addAll(List.of("-netdev", net, "-device", "virtio-net-pci,netdev=net0,romfile=",
                "-device", "virtio-rng-pci", "-serial", "file:" + console));
        return a;
    }
}
