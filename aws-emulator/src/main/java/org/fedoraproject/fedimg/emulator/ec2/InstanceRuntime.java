package org.fedoraproject.fedimg.emulator.ec2;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.RegionState;

/**
 * What booted instances do: each boots when its pending delay has passed, by running its user-data
 * ({@link UserDataRunner}); attached volumes appear as its devices; a script's shutdown stops or terminates
 * it; terminating kills the script and releases (or deletes) its volumes. Public for the engine's reset and
 * close and for the inspector's views; the rest is used by the instance and volume handlers.
 */
public final class InstanceRuntime {

    private final Engine engine;
    private final UserDataRunner runner;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ScheduledFuture<?>> boots = new ConcurrentHashMap<>();

    public InstanceRuntime(Engine engine, Path instancesDir, Duration userDataTimeout) {
        this.engine = engine;
        this.runner = new UserDataRunner(instancesDir, userDataTimeout);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aws-emulator-clock");
            t.setDaemon(true);
            return t;
        });
    }

    void scheduleBoot(Model.InstRec inst) {
        long delayMs = Math.max(0, Duration.between(Instant.now(),
                inst.created.plus(engine.delays().instancePending())).toMillis());
        Runnable boot = () -> {
            synchronized (engine) {
                if (inst.terminatedAt != null || engine.regions().get(inst.region).instances.get(inst.id) != inst) {
                    return;
                }
                inst.run = runner.boot(inst.id, inst.userData, inst.instanceType, run -> linkAll(inst, run),
                        this::shutdownRequested);
            }
        };
        boots.put(inst.id, scheduler.schedule(boot, delayMs, TimeUnit.MILLISECONDS));
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

    /** A volume attached to a booted instance appears in its /dev. */
    void linkVolume(Model.InstRec inst, Model.VolRec vol) {
        if (inst.run == null) {
            return;
        }
        int nvme = (int) inst.devices.keySet().stream().filter(d -> !d.equals(inst.rootDeviceName)).count();
        runner.attach(inst.run, vol.device, vol.id, engine.content().materialize(vol), nvme);
    }

    void unlinkVolume(Model.InstRec inst, Model.VolRec vol, String device) {
        if (inst.run == null) {
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
        runner.detach(inst.run, device, vol.id, nvme);
    }

    private void shutdownRequested(String instanceId) {
        synchronized (engine) {
            for (RegionState r : engine.regions().values()) {
                Model.InstRec inst = r.instances.get(instanceId);
                if (inst != null && inst.terminatedAt == null && inst.stoppedAt == null) {
                    if ("terminate".equals(inst.shutdownBehavior)) {
                        terminate(r, inst, "Client.InstanceInitiatedShutdown: Instance initiated shutdown");
                    } else {
                        inst.stoppedAt = Instant.now();
                        inst.stateReason = "Client.InstanceInitiatedShutdown: Instance initiated shutdown";
                    }
                }
            }
        }
    }

    /** StopInstances: the script is killed; the instance stops after its shutdown delay. */
    void stop(Model.InstRec inst) {
        if (inst.stoppedAt == null) {
            inst.stoppedAt = Instant.now();
            inst.stateReason = "Client.UserInitiatedShutdown: User initiated shutdown";
            if (inst.run != null) {
                runner.terminate(inst.run);
            }
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
        if (inst.run != null) {
            runner.terminate(inst.run);
        }
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

    /** What the instance's console shows so far (empty before it booted). */
    public String console(Model.InstRec inst) {
        return inst.run == null ? "" : runner.console(inst.run);
    }

    /** Whether its user-data has finished (or it had none to run). */
    public boolean userDataFinished(Model.InstRec inst) {
        return inst.run != null && inst.run.finished;
    }

    /** Engine reset (under its lock): no boot pending, every script killed and its directory removed. */
    public void reset() {
        boots.values().forEach(f -> f.cancel(false));
        boots.clear();
        for (RegionState r : engine.regions().values()) {
            for (Model.InstRec inst : r.instances.values()) {
                if (inst.run != null) {
                    runner.terminate(inst.run);
                    runner.cleanup(inst.run);
                }
            }
        }
    }

    /** Engine close (under its lock): every script killed. */
    public void terminateAll() {
        for (RegionState r : engine.regions().values()) {
            for (Model.InstRec inst : r.instances.values()) {
                if (inst.run != null) {
                    runner.terminate(inst.run);
                }
            }
        }
    }

    public void close() {
        scheduler.shutdownNow();
        runner.close();
    }
}
