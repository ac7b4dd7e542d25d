package org.fedoraproject.fedimg.emulator.ec2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

import org.fedoraproject.fedimg.emulator.ebs.BlockStore;
import org.fedoraproject.fedimg.emulator.vm.BootWatch;
import org.fedoraproject.fedimg.emulator.vm.Firmware;
import org.fedoraproject.fedimg.emulator.vm.MetadataService;
import org.fedoraproject.fedimg.emulator.vm.QemuCommand;
import org.fedoraproject.fedimg.emulator.vm.QemuHost;

/**
 * The qemu backend: boots an instance's root disk in a virtual machine. The root is a qcow2 overlay backed by
 * a read-only raw image of the AMI's snapshot (never written; the overlay goes at termination), the firmware
 * comes from the boot mode with the instance's own copy of the UEFI variables, the metadata service is the
 * instance's own {@link MetadataService}, the console is the serial port's file. At most {@code maxVms} run at
 * once: a boot beyond that waits (the instance stays pending). QEMU is started with a parent-death signal, and
 * killed by pid at termination, stop, reset and close.
 */
final class QemuRunner {

    private static final Logger LOG = Logger.getLogger(QemuRunner.class.getName());
    /** Guest memory: the test images need ~200 MiB; bounded so that a few VMs fit on a small host. */
    private static final int MEMORY_MIB = 512;

    private final Path root;
    private final QemuHost host;
    private final int maxVms;
    private final Duration kernelBound;
    private final AtomicInteger live = new AtomicInteger();
    private final ExecutorService waiters = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "aws-emulator-vm");
        t.setDaemon(true);
        return t;
    });

    /** What a VM boots: the root disk's read-only base, its size, the further volumes, what its IMDS says. */
    record Boot(String instanceId, String architecture, String bootMode, Path rootBase, long rootBytes,
            List<Path> volumes, MetadataService.Data metadata, String sshAddress, int sshPort) {
    }

    /** One instance's virtual machine. */
    final class Vm extends InstanceRun {
        final Instant started = Instant.now();
        final String accel;
        final Firmware firmware;
        volatile Process process;
        volatile MetadataService imds;
        volatile boolean killed;
        private volatile BootWatch.Verdict decided;
        /** When the console was first seen with output (its file's time then). */
        private volatile Instant firstOutput;

        Vm(String instanceId, Path dir, String accel, Firmware firmware) {
            super(instanceId, dir);
            this.accel = accel;
            this.firmware = firmware;
        }

        @Override
        String statusCheck() {
            BootWatch.Verdict v = decided;
            if (v != null && v.status().equals("impaired")) {
                return v.status();
            }
            String text = consoleTail();
            Instant now = Instant.now();
            if (firstOutput == null && !text.isEmpty()) {
                firstOutput = consoleTime();
            }
            v = BootWatch.judge(text, Duration.between(started, now),
                    firstOutput == null ? null : Duration.between(firstOutput, now), imds != null && imds.asked(),
                    kernelBound);
            if (!v.status().equals("initializing")) {
                if (decided == null || !decided.status().equals(v.status())) {
                    BootWatch.Verdict changed = v;
                    LOG.info(() -> "qemu backend: " + instanceId + " status " + changed.status()
                            + (changed.reason() == null ? "" : ": " + changed.reason()));
                }
                decided = v;
            }
            return v.status();
        }

        @Override
        Instant consoleTime() {
            try {
                return Files.exists(console) ? Files.getLastModifiedTime(console).toInstant() : started;
            } catch (IOException e) {
                return started;
            }
        }
    }

    QemuRunner(Path root, QemuHost host, int maxVms, Duration kernelBound) {
        this.root = root;
        this.host = host;
        this.maxVms = maxVms;
        this.kernelBound = kernelBound;
    }

    /** Whether another VM may start now. */
    boolean hasRoom() {
        return live.get() < maxVms;
    }

    /**
     * Starts the VM (call {@link #hasRoom} first; call from one long-lived thread, which the parent-death signal
     * is tied to). {@code onExit} gets the instance id and QEMU's exit code when QEMU ends by itself.
     */
    Vm boot(Boot b, BiConsumer<String, Integer> onExit) {
        Path dir = root.resolve(b.instanceId());
        String accel = host.accel(b.architecture(), root);
        Firmware firmware = Firmware.of(b.architecture(), b.bootMode());
        Vm vm = new Vm(b.instanceId(), dir, accel, firmware);
        live.incrementAndGet();
        try {
            Files.createDirectories(dir);
            Path overlay = dir.resolve("root.qcow2");
            run(List.of(host.qemuImg().toString(), "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
                    b.rootBase().toString(), overlay.toString(), String.valueOf(b.rootBytes())), dir);
            Path vars = null;
            QemuHost.Flash flash = host.uefi(b.architecture());
            if (firmware == Firmware.UEFI) {
                vars = dir.resolve("vars.fd");
                Files.copy(flash.vars(), vars, StandardCopyOption.REPLACE_EXISTING);
            }
            vm.imds = new MetadataService(b.metadata());
            QemuCommand cmd = new QemuCommand(host.qemuSystem(b.architecture()), b.architecture(), firmware, accel,
                    flash, vars, overlay, b.volumes(), MEMORY_MIB, host.busybox(), vm.imds.port(), b.sshAddress(),
                    b.sshPort(), vm.console, host.setpriv().orElse(null));
            Files.writeString(vm.console, "", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            Process p = new ProcessBuilder(cmd.args()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("qemu.log").toFile()).start();
            vm.process = p;
            LOG.info(() -> "qemu backend: " + b.instanceId() + " booting " + b.architecture() + " with "
                    + firmware.bootMode() + " firmware under " + accel + " (pid " + p.pid() + ")");
            waiters.submit(() -> watch(vm, onExit));
            return vm;
        } catch (IOException | RuntimeException e) {
            live.decrementAndGet();
            if (vm.imds != null) {
                vm.imds.close();
            }
            append(vm, "aws-emulator: QEMU could not start: " + e.getMessage() + "\n");
            vm.finished = true;
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    private void watch(Vm vm, BiConsumer<String, Integer> onExit) {
        int code;
        try {
            code = vm.process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        live.decrementAndGet();
        vm.finished = true;
        if (vm.imds != null) {
            vm.imds.close();
        }
        if (vm.killed) {
            return;
        }
        if (code != 0) {
            append(vm, "\naws-emulator: QEMU exited with " + code + ": " + tail(vm.dir.resolve("qemu.log")) + "\n");
        }
        onExit.accept(vm.instanceId, code);
    }

    /** Kills QEMU by pid and waits for it; removes the overlay and the variables (the console stays). */
    void terminate(Vm vm) {
        vm.killed = true;
        Process p = vm.process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (vm.imds != null) {
            vm.imds.close();
        }
        try {
            Files.deleteIfExists(vm.dir.resolve("root.qcow2"));
            Files.deleteIfExists(vm.dir.resolve("vars.fd"));
        } catch (IOException e) {
            // the directory goes at reset or close
        }
    }

    void cleanup(Vm vm) {
        BlockStore.deleteTree(vm.dir, true);
    }

    void close() {
        waiters.shutdownNow();
    }

    private static void run(List<String> cmd, Path dir) throws IOException {
        Path log = dir.resolve("qemu-img.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("qemu-img did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("qemu-img failed: " + tail(log));
        }
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.length() > 500 ? s.substring(s.length() - 500) : s;
        } catch (IOException e) {
            return "";
        }
    }

    private static void append(InstanceRun run, String text) {
        try {
            Files.createDirectories(run.dir);
            Files.writeString(run.console, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // gone: terminated
        }
    }
}
