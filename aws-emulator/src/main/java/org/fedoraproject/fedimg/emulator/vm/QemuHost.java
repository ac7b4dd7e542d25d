package org.fedoraproject.fedimg.emulator.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What this host has for the qemu backend: the QEMU binaries, the firmware, {@code busybox} (the metadata
 * service's per-connection relay) and {@code setpriv} (so that QEMU dies with the emulator's JVM), found once
 * per JVM; and the acceleration, decided by a probe (KVM only when a guest under KVM reaches its console within
 * a few seconds: {@code /dev/kvm} opening is not enough, a KVM guest here hung without output).
 */
public final class QemuHost {

    private static final Logger LOG = Logger.getLogger(QemuHost.class.getName());
    private static final long PROBE_MILLIS = 5000;
    private static volatile QemuHost detected;

    /** A firmware's code (read-only) and the template of its variables (copied per instance). */
    public record Flash(Path code, Path vars) {
    }

    private final Path qemuX86;
    private final Path qemuArm;
    private final Path qemuImg;
    private final Flash ovmf;
    private final Flash aavmf;
    private final Path busybox;
    private final Path setpriv;
    private volatile String accel;

    private QemuHost(Path qemuX86, Path qemuArm, Path qemuImg, Flash ovmf, Flash aavmf, Path busybox, Path setpriv) {
        this.qemuX86 = qemuX86;
        this.qemuArm = qemuArm;
        this.qemuImg = qemuImg;
        this.ovmf = ovmf;
        this.aavmf = aavmf;
        this.busybox = busybox;
        this.setpriv = setpriv;
    }

    /** This host, looked at once per JVM. */
    public static QemuHost get() {
        QemuHost h = detected;
        if (h == null) {
            synchronized (QemuHost.class) {
                if (detected == null) {
                    detected = new QemuHost(onPath("qemu-system-x86_64"), onPath("qemu-system-aarch64"),
                            onPath("qemu-img"),
                            flash("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd",
                                    "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
                            flash("/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd"),
                            onPath("busybox"), onPath("setpriv"));
                }
                h = detected;
            }
        }
        return h;
    }

    /**
     * The Debian packages missing to boot x86_64 and arm64 instances (empty when everything is there):
     * qemu-system-x86, qemu-system-arm, qemu-utils, ovmf, qemu-efi-aarch64, busybox-static.
     */
    public List<String> missingPackages() {
        Set<String> missing = new LinkedHashSet<>();
        missing.addAll(missingFor("x86_64"));
        missing.addAll(missingFor("arm64"));
        return List.copyOf(missing);
    }

    /** The packages missing to boot instances of one EC2 architecture ({@code x86_64} or {@code arm64}). */
    public List<String> missingFor(String architecture) {
        List<String> missing = new ArrayList<>();
        if ("arm64".equals(architecture)) {
            if (qemuArm == null) {
                missing.add("qemu-system-arm");
            }
            if (aavmf == null) {
                missing.add("qemu-efi-aarch64");
            }
        } else {
            if (qemuX86 == null) {
                missing.add("qemu-system-x86");
            }
            if (ovmf == null) {
                missing.add("ovmf");
            }
        }
        if (qemuImg == null) {
            missing.add("qemu-utils");
        }
        if (busybox == null) {
            missing.add("busybox-static");
        }
        return missing;
    }

    /** Whether instances of this architecture can boot here. */
    public boolean canBoot(String architecture) {
        return missingFor(architecture).isEmpty();
    }

    public Path qemuSystem(String architecture) {
        return "arm64".equals(architecture) ? qemuArm : qemuX86;
    }

    public Path qemuImg() {
        return qemuImg;
    }

    public Flash uefi(String architecture) {
        return "arm64".equals(architecture) ? aavmf : ovmf;
    }

    public Path busybox() {
        return busybox;
    }

    /** {@code setpriv}, to start QEMU with a parent-death signal; absent, a killed JVM may leave QEMU behind. */
    public Optional<Path> setpriv() {
        return Optional.ofNullable(setpriv);
    }

    /**
     * {@code kvm} or {@code tcg} for guests of this architecture: KVM only for the host's own architecture and
     * only when the probe guest reached its console under KVM within {@value #PROBE_MILLIS} ms. Probed once per
     * JVM; the choice is logged.
     */
    public String accel(String architecture, Path scratch) {
        if (!hostArchitecture().equals(architecture)) {
            return "tcg";
        }
        String a = accel;
        if (a == null) {
            synchronized (this) {
                if (accel == null) {
                    accel = probeKvm(scratch);
                }
                a = accel;
            }
        }
        return a;
    }

    /** The EC2 name of the host's architecture. */
    public static String hostArchitecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x86_64";
    }

    /** QEMU says so on stderr when KVM cannot run the guest's code; the guest then stays paused, silent. */
    private static boolean kvmFailed(Path stderr) throws IOException {
        return Files.exists(stderr) && Files.readString(stderr, StandardCharsets.ISO_8859_1).contains("KVM internal error");
    }

    /**
     * Boots OVMF (x86_64; SeaBIOS without OVMF) or AAVMF (arm64) under KVM with the serial console in a file; KVM
     * when the firmware's first line shows within the bound, else TCG. The probe is killed by pid either way.
     */
    private String probeKvm(Path scratch) {
        Path dev = Path.of("/dev/kvm");
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            LOG.info("qemu backend: /dev/kvm not usable; guests run under TCG (emulation)");
            return "tcg";
        }
        String arch = hostArchitecture();
        if (qemuSystem(arch) == null) {
            return "tcg";
        }
        Path console = scratch.resolve("kvm-probe.log");
        List<String> cmd = new ArrayList<>(List.of(qemuSystem(arch).toString(), "-accel", "kvm", "-cpu", "host",
                "-m", "64", "-nodefaults", "-display", "none", "-no-reboot", "-serial", "file:" + console));
        long start = System.nanoTime();
        Process p = null;
        try {
            Files.createDirectories(scratch);
            if (arch.equals("arm64")) {
                cmd.addAll(List.of("-machine", "virt", "-bios", String.valueOf(aavmf == null ? "" : aavmf.code())));
            } else {
                cmd.addAll(List.of("-machine", "q35,graphics=off"));
                // OVMF, which uefi and uefi-preferred guests boot: on this kind of host SeaBIOS ran under KVM while
                // OVMF stopped at once ("KVM internal error ... emulation failure", QEMU paused, no console output)
                if (ovmf != null) {
                    Path vars = scratch.resolve("kvm-probe-vars.fd");
                    Files.copy(ovmf.vars(), vars, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    cmd.addAll(List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + ovmf.code(),
                            "-drive", "if=pflash,format=raw,unit=1,file=" + vars));
                }
            }
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(scratch.resolve("kvm-probe.err").toFile()).start();
            while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(PROBE_MILLIS)) {
                if (Files.exists(console) && !Files.readString(console, StandardCharsets.ISO_8859_1).isBlank()) {
                    LOG.info(() -> "qemu backend: KVM probe reached the console in "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms; guests run under KVM");
                    return "kvm";
                }
                if (!p.isAlive() || kvmFailed(scratch.resolve("kvm-probe.err"))) {
                    break;
                }
                Thread.sleep(50);
            }
            String why = kvmFailed(scratch.resolve("kvm-probe.err")) ? "KVM internal error: the firmware could not run"
                    : p.isAlive() ? "no console output within " + PROBE_MILLIS + " ms"
                    : "QEMU exited with " + p.exitValue();
            LOG.info(() -> "qemu backend: KVM probe failed (" + why + "); guests run under TCG (emulation)");
            return "tcg";
        } catch (IOException e) {
            LOG.info(() -> "qemu backend: KVM probe could not run (" + e.getMessage() + "); guests run under TCG");
            return "tcg";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "tcg";
        } finally {
            if (p != null) {
                p.destroyForcibly();
                try {
                    p.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static Flash flash(String... codeThenVars) {
        for (int i = 0; i + 1 < codeThenVars.length; i += 2) {
            Path code = Path.of(codeThenVars[i]);
            Path vars = Path.of(codeThenVars[i + 1]);
            if (Files.isReadable(code) && Files.isReadable(vars)) {
                return new Flash(code, vars);
            }
        }
        return null;
    }

    private static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
