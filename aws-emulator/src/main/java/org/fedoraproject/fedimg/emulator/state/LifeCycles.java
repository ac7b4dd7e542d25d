package org.fedoraproject.fedimg.emulator.state;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.fedoraproject.fedimg.emulator.Delays;

/**
 * The life cycles: every state is derived from a resource's timestamps and the {@link Delays} (no background
 * timer moves a resource on), plus eventual consistency, where a new resource stays invisible to its first
 * describes. Called under the engine's lock.
 */
public final class LifeCycles {

    private final Engine engine;

    LifeCycles(Engine engine) {
        this.engine = engine;
    }

    static boolean elapsed(Instant since, Duration delay) {
        return !Instant.now().isBefore(since.plus(delay));
    }

    /**
     * pending until the delay, then failed (a failing copy, or a bundle refused while it was reassembled) or
     * available once its own snapshots completed and its bundle is reassembled; disabled while DisableImage holds.
     */
    public String imageState(Model.AmiRec ami) {
        if (ami.disabled) {
            return "disabled";
        }
        if (!elapsed(ami.created, ami.availableAfter)) {
            return "pending";
        }
        if (ami.failAfterDelay || ami.instanceStoreRoot != null && ami.instanceStoreRoot.failure != null) {
            return "failed";
        }
        if (ami.instanceStoreRoot != null && ami.instanceStoreRoot.readyAt == null) {
            return "pending";
        }
        for (String snapId : ami.ownSnapshots) {
            Model.SnapRec snap = engine.regions().get(ami.region).snapshots.get(snapId);
            if (snap != null && !"completed".equals(snapshotState(snap))) {
                return "pending";
            }
        }
        return "available";
    }

    /**
     * The {@code deregistrationProtection} of DescribeImages and DescribeImageAttribute: {@code enabled-with-cooldown},
     * {@code enabled-without-cooldown}, {@code disabled-until-<time>} during a cooldown, or {@code disabled}.
     */
    public static String deregistrationProtection(Model.AmiRec ami) {
        if (ami.deregistrationProtected) {
            return ami.protectionCooldown ? "enabled-with-cooldown" : "enabled-without-cooldown";
        }
        return inProtectionCooldown(ami) ? "disabled-until-" + ami.protectedUntil.truncatedTo(ChronoUnit.SECONDS)
                : "disabled";
    }

    /** Protection was enabled WithCooldown, then disabled less than the cooldown ago. */
    public static boolean inProtectionCooldown(Model.AmiRec ami) {
        return ami.protectedUntil != null && Instant.now().isBefore(ami.protectedUntil);
    }

    /** pending until its data is in and the completion delay passed; error when EBS direct timed out. */
    public String snapshotState(Model.SnapRec snap) {
        if (snap.error) {
            return "error";
        }
        Instant ready = snap.dataReadyAt;
        if (ready == null) {
            if (snap.ebsDirect && Instant.now().isAfter(snap.created.plus(Duration.ofMinutes(snap.timeoutMinutes)))) {
                snap.error = true;
                return "error";
            }
            return "pending";
        }
        return elapsed(ready, snap.completeAfter) ? "completed" : "pending";
    }

    public String snapshotProgress(Model.SnapRec snap) {
        String state = snapshotState(snap);
        if (state.equals("completed")) {
            return "100%";
        }
        Instant ready = snap.dataReadyAt;
        if (ready == null || snap.completeAfter.isZero()) {
            return "0%";
        }
        double done = Duration.between(ready, Instant.now()).toMillis() / (double) snap.completeAfter.toMillis();
        return Math.min(99, Math.max(0, (int) (done * 100))) + "%";
    }

    public String instanceState(Model.InstRec inst) {
        Delays d = engine.delays();
        if (inst.terminatedAt != null) {
            return elapsed(inst.terminatedAt, d.instanceShutdown()) ? "terminated" : "shutting-down";
        }
        if (inst.stoppedAt != null) {
            return elapsed(inst.stoppedAt, d.instanceShutdown()) ? "stopped" : "stopping";
        }
        if (inst.vm) {
            // the qemu backend: running once its virtual machine has started
            return inst.run != null ? "running" : "pending";
        }
        return elapsed(inst.created, d.instancePending()) ? "running" : "pending";
    }

    /** EC2's numeric code of an instance state. */
    public static int stateCode(String state) {
        return switch (state) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            case "stopped" -> 80;
            default -> 0;
        };
    }

    /** Status checks: initializing, then ok (or impaired when the fault says so). */
    public String statusCheck(Model.InstRec inst) {
        if (!"running".equals(instanceState(inst))) {
            return "not-applicable";
        }
        String decided = engine.instances().statusCheck(inst);
        if (decided != null) {
            return decided;
        }
        Delays delays = engine.delays();
        Instant runningSince = inst.created.plus(delays.instancePending());
        if (!elapsed(runningSince, delays.instanceStatusChecks())) {
            return "initializing";
        }
        return engine.faults().instanceNeverPassesStatusChecks() ? "impaired" : "ok";
    }

    public String volumeState(Model.VolRec vol) {
        if (!elapsed(vol.created, engine.delays().volumeCreation())) {
            return "creating";
        }
        return vol.attachedTo != null ? "in-use" : "available";
    }

    /** Just-created resources stay invisible to this many describes when eventual consistency is on. */
    public static boolean hiddenByConsistency(Model.Resource r) {
        if (r.hiddenDescribes > 0) {
            r.hiddenDescribes--;
            return true;
        }
        return false;
    }

    /** A resource just created: hidden from its first describes, as the delays say. */
    public void markNew(Model.Resource r) {
        r.hiddenDescribes = engine.delays().eventualConsistencyNotFound();
    }
}
