package org.fedoraproject.fedimg.emulator.ec2;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.InstanceOptions;
import org.fedoraproject.fedimg.emulator.vm.MetadataService;
import org.fedoraproject.fedimg.emulator.vm.QemuHost;

/**
 * What booted instances do: each boots when its pending delay has passed, with the emulator's backend: bash
 * runs its user-data on the host ({@link UserDataRunner}; attached volumes appear as its devices), qemu boots
 * its root disk in a virtual machine ({@link QemuRunner}; the instance is pending until the VM starts, its
 * status checks follow what the guest shows). A guest's shutdown stops or terminates it; terminating kills the
 * script or VM and releases (or deletes) its volumes. Public for the engine's reset and close and for the
 * inspector's views; the rest is used by the instance and volume handlers.
 */
public final class InstanceRuntime {

    private static final Logger LOG = Logger.getLogger(InstanceRuntime.class.getName());
    /** Loopback addresses handed to VMs (127.x.y.z needs no set-up on Linux), spread per JVM by its pid. */
    private static final AtomicInteger ADDRESSES = new AtomicInteger((int) (ProcessHandle.current().pid() * 7919
            % (1 << 20)));
    private static final long ROOM_RETRY_MILLIS = 500;

    private final Engine engine;
    private final InstanceOptions options;
    private final UserDataRunner runner;
    private final QemuRunner vms;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> boots = new ConcurrentHashMap<>();

    public InstanceRuntime(Engine engine, Path instancesDir, InstanceOptions options) {
        this.engine = engine;
        this.options = options;
        this.runner = new UserDataRunner(instancesDir, options.userDataTimeout());
        this.vms = options.backend() == InstanceBackend.QEMU
                ? new QemuRunner(instancesDir, QemuHost.get(), options.maxVms(), options.kernelBound()) : null;
        // one long-lived thread starts every VM: QEMU's parent-death signal is tied to the thread that started it
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aws-emulator-clock");
            t.setDaemon(true);
            return t;
        });
        if (vms != null) {
            // decide KVM or TCG now (bounded probe, logged), not under the lock at the first boot
            scheduler.execute(() -> QemuHost.get().accel(QemuHost.hostArchitecture(), instancesDir));
        }
    }

    public InstanceBackend backend() {
        return options.backend();
    }

    void scheduleBoot(Model.InstRec inst) {
        inst.vm = vms != null;
        long delayMs = Math.max(0, Duration.between(Instant.now(),
                inst.created.plus(engine.delays().instancePending())).toMillis());
        boots.put(inst.id, scheduler.schedule(() -> boot(inst), delayMs, TimeUnit.MILLISECONDS));
    }

    private void boot(Model.InstRec inst) {
        synchronized (engine) {
            if (inst.terminatedAt != null || inst.stoppedAt != null
                    || engine.regions().get(inst.region).instances.get(inst.id) != inst) {
                return;
            }
            if (!inst.vm) {
                inst.run = runner.boot(inst.id, inst.userData, inst.instanceType, run -> linkAll(inst, run),
                        this::shutdownRequested);
                return;
            }
            List<String> missing = QemuHost.get().missingFor(inst.architecture);
            if (!missing.isEmpty()) {
                terminate(engine.regions().get(inst.region), inst, "Server.InternalError: the qemu backend cannot "
                        + "boot " + inst.architecture + " on this host; missing packages: " + String.join(" ", missing));
                return;
            }
            if (!vms.hasRoom()) {
                // bounded VMs: the instance stays pending until one ends
                boots.put(inst.id, scheduler.schedule(() -> boot(inst), ROOM_RETRY_MILLIS, TimeUnit.MILLISECONDS));
                return;
            }
            try {
                inst.run = vms.boot(vmBoot(inst), this::vmExited);
            } catch (RuntimeException e) {
                LOG.warning(() -> "qemu backend: " + inst.id + " could not boot: " + e.getMessage());
                terminate(engine.regions().get(inst.region), inst, "Server.InternalError: " + e.getMessage());
            }
        }
    }

    /** What the VM boots: the root snapshot's base image, the volume's size, its metadata. Under the lock. */
    private QemuRunner.Boot vmBoot(Model.InstRec inst) {
        RegionState region = engine.regions().get(inst.region);
        Path base;
        long bytes;
        if (inst.instanceStoreRoot != null) {
            base = engine.content().rootDisk(inst);
            bytes = inst.instanceStoreRoot.sizeBytes;
        } else {
            Model.VolRec rootVol = region.volumes.get(inst.devices.get(inst.rootDeviceName));
            Model.SnapRec snap = rootVol == null ? null : engine.content().snapshotOf(rootVol);
            if (snap == null) {
                throw new IllegalStateException("instance " + inst.id + " has no root snapshot at "
                        + inst.rootDeviceName);
            }
            base = engine.content().snapshotImage(snap);
            bytes = (long) rootVol.sizeGiB << 30;
        }
        List<Path> volumes = new ArrayList<>();
        inst.devices.forEach((device, volId) -> {
            Model.VolRec vol = region.volumes.get(volId);
            if (vol != null && !device.equals(inst.rootDeviceName)) {
                volumes.add(engine.content().materialize(vol));
            }
        });
        String address = loopbackAddress();
        if (inst.publicIp != null) {
            inst.publicIp = address;
        }
        Model.KeyRec key = inst.keyName == null ? null : region.keyPairs.get(inst.keyName);
        boolean tokens = inst.metadataOptions != null && "required".equals(inst.metadataOptions.httpTokensAsString());
        MetadataService.Data data = new MetadataService.Data(inst.id, inst.instanceType, inst.imageId,
                inst.privateIp, inst.publicIp, "ip-" + inst.privateIp.replace('.', '-') + ".ec2.internal",
                inst.availabilityZone, inst.keyName, key == null ? null : key.publicKey, userDataBytes(inst.userData),
                tokens);
        // a port below 1024 needs root: without it QEMU could not forward it and would not start, so no ssh
        boolean canForward = options.sshPort() >= 1024 || "root".equals(System.getProperty("user.name"));
        return new QemuRunner.Boot(inst.id, inst.architecture, inst.bootMode, base, bytes, volumes, data,
                canForward ? address : null, options.sshPort());
    }

    private static String loopbackAddress() {
        int n = ADDRESSES.getAndIncrement() & 0xFFFFF;
        int host = n % 250 + 2;
        int mid = n / 250 % 256;
        int high = 100 + n / 250 / 256 % 100;
        return "127." + high + "." + mid + "." + host;
    }

    private static byte[] userDataBytes(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return null;
        }
        try {
            return java.util.Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return base64.getBytes(StandardCharsets.UTF_8);
        }
    }

    private void vmExited(String instanceId, int code) {
        shutdownRequested(instanceId, code == 0 ? "Client.InstanceInitiatedShutdown: Instance initiated shutdown"
                : "Server.InternalError: QEMU exited with " + code);
    }

    private void linkAll(Model.InstRec inst, UserDataRunner.Run run) {
        RegionState region = engine.regions().get(inst.region);
        int nvme = 0;
        for (Map.Entry<String, String> e : inst.devices.entrySet()) {
            Model.VolRec vol = region.volumes.get(e.getValue());
            boolean root = e.getKey().equals(inst.rootDeviceName);
            if (vol != null && !root) {
                runner.attach(run, e.getKey(), vol.id, engine.content().materialize(vol), ++nvme);
            }
        }
    }

    /** A volume attached to a booted instance appears in its /dev (bash only: a VM's disks are fixed at boot). */
    void linkVolume(Model.InstRec inst, Model.VolRec vol) {
        if (!(inst.run instanceof UserDataRunner.Run run)) {
            return;
        }
        int nvme = (int) inst.devices.keySet().stream().filter(d -> !d.equals(inst.rootDeviceName)).count();
        runner.attach(run, vol.device, vol.id, engine.content().materialize(vol), nvme);
    }

    void unlinkVolume(Model.InstRec inst, Model.VolRec vol, String device) {
        if (!(inst.run instanceof UserDataRunner.Run run)) {
            return;
        }
        int nvme = 0;
        for (String d : inst.devices.keySet()) {
            if (!d.equals(inst.rootDeviceName)) {
                nvme++;
            }
            if (d.equals(device)) {
                break;
            }
        }
        runner.detach(run, device, vol.id, nvme);
    }

    private void shutdownRequested(String instanceId) {
        shutdownRequested(instanceId, "Client.InstanceInitiatedShutdown: Instance initiated shutdown");
    }

    private void shutdownRequested(String instanceId, String reason) {
        synchronized (engine) {
            for (RegionState r : engine.regions().values()) {
                Model.InstRec inst = r.instances.get(instanceId);
                if (inst != null && inst.terminatedAt == null && inst.stoppedAt == null) {
                    if ("terminate".equals(inst.shutdownBehavior)) {
                        terminate(r, inst, reason);
                    } else {
                        inst.stoppedAt = Instant.now();
                        inst.stateReason = reason;
                        kill(inst);
                    }
                }
            }
        }
    }

    /** StopInstances: the script or VM is killed; the instance stops after its shutdown delay. */
    void stop(Model.InstRec inst) {
        if (inst.stoppedAt == null) {
            inst.stoppedAt = Instant.now();
            inst.stateReason = "Client.UserInitiatedShutdown: User initiated shutdown";
            kill(inst);
        }
    }

    void terminate(RegionState region, Model.InstRec inst, String reason) {
        if (inst.terminatedAt != null) {
            return;
        }
        inst.terminatedAt = Instant.now();
        inst.stateReason = reason;
        ScheduledFuture<?> boot = boots.remove(inst.id);
        if (boot != null) {
            boot.cancel(false);
        }
        kill(inst);
        engine.content().releaseRootDisk(inst);
        for (String volId : List.copyOf(inst.devices.values())) {
            Model.VolRec vol = region.volumes.get(volId);
            if (vol == null) {
                continue;
            }
            vol.attachedTo = null;
            vol.device = null;
            if (vol.deleteOnTermination) {
                engine.content().deleteVolume(region, vol);
            }
        }
        inst.devices.clear();
    }

    private void kill(Model.InstRec inst) {
        if (inst.run instanceof UserDataRunner.Run run) {
            runner.terminate(run);
        } else if (inst.run instanceof QemuRunner.Vm vm) {
            vms.terminate(vm);
        }
    }

    /** What the instance's console shows so far (empty before it booted), the latest 64 KiB. */
    public String console(Model.InstRec inst) {
        return inst.run == null ? "" : inst.run.consoleTail();
    }

    /** Whether its user-data has finished (or it had none to run); for a VM, whether the guest has shut down. */
    public boolean userDataFinished(Model.InstRec inst) {
        return inst.run != null && inst.run.finished;
    }

    /** The status checks as the instance's run decides them (a VM), or null when they follow the delays. */
    public String statusCheck(Model.InstRec inst) {
        return inst.run == null ? (inst.vm ? "initializing" : null) : inst.run.statusCheck();
    }

    /** Engine reset (under its lock): no boot pending, every script and VM killed and its directory removed. */
    public void reset() {
        boots.values().forEach(f -> f.cancel(false));
        boots.clear();
        for (RegionState r : engine.regions().values()) {
            for (Model.InstRec inst : r.instances.values()) {
                kill(inst);
                if (inst.run instanceof UserDataRunner.Run run) {
                    runner.cleanup(run);
                } else if (inst.run instanceof QemuRunner.Vm vm) {
                    vms.cleanup(vm);
                }
            }
        }
    }

    /** Engine close (under its lock): every script and VM killed. */
    public void terminateAll() {
        for (RegionState r : engine.regions().values()) {
            for (Model.InstRec inst : r.instances.values()) {
                kill(inst);
            }
        }
    }

    public void close() {
        scheduler.shutdownNow();
        runner.close();
        if (vms != null) {
            vms.close();
        }
    }
}
