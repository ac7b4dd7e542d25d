package org.fedoraproject.fedimg.emulator.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Faults;

/**
 * The emulator's state and life cycles, shared by the EC2 and EBS front ends. One lock guards the resource
 * maps (calls are short); block content moves outside it.
 */
public final class Engine {

    final String accountId;
    final Faults faults;
    final BlockStore store;
    final UserDataRunner runner;
    private final List<String> regionNames;
    private final Map<String, RegionState> regions = new LinkedHashMap<>();
    private volatile Delays delays;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final Map<String, ScheduledFuture<?>> boots = new ConcurrentHashMap<>();

    public Engine(String accountId, List<String> regionNames, Delays delays, Faults faults, Path workDir,
            Duration userDataTimeout) {
        this.accountId = accountId;
        this.regionNames = List.copyOf(regionNames);
        this.delays = delays;
        this.faults = faults;
        this.store = new BlockStore(workDir);
        this.runner = new UserDataRunner(workDir.resolve("instances"), userDataTimeout);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aws-emulator-clock"));
        this.workers = Executors.newFixedThreadPool(2, r -> daemon(r, "aws-emulator-snapshot"));
        createRegions();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void createRegions() {
        regions.clear();
        for (String name : regionNames) {
            regions.put(name, new RegionState(name));
        }
    }

    public String accountId() {
        return accountId;
    }

    public Faults faults() {
        return faults;
    }

    public Delays delays() {
        return delays;
    }

    public void delays(Delays delays) {
        this.delays = delays;
    }

    public List<String> regionNames() {
        return regionNames;
    }

    public BlockStore store() {
        return store;
    }

    /** The state of a served region; unknown regions answer like a region the account cannot use. */
    RegionState region(String name) {
        RegionState r = regions.get(name);
        if (r == null) {
            throw new Ec2Exception(401, "AuthFailure",
                    "AWS was not able to validate the provided access credentials (region '" + name
                            + "' is not served by this emulator)");
        }
        return r;
    }

    public boolean serves(String region) {
        return regions.containsKey(region);
    }

    Map<String, RegionState> regions() {
        return regions;
    }

    // ---- call counting ----

    public void countCall(String action, String region) {
        calls.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
        calls.computeIfAbsent(action + "@" + region, k -> new AtomicLong()).incrementAndGet();
    }

    public long callCount(String action) {
        AtomicLong n = calls.get(action);
        return n == null ? 0 : n.get();
    }

    public long callCount(String action, String region) {
        AtomicLong n = calls.get(action + "@" + region);
        return n == null ? 0 : n.get();
    }

    public java.util.SortedMap<String, Long> callCounts() {
        java.util.SortedMap<String, Long> counts = new java.util.TreeMap<>();
        calls.forEach((key, n) -> {
            if (!key.contains("@")) {
                counts.put(key, n.get());
            }
        });
        return counts;
    }

    // ---- life cycles, derived from timestamps ----

    static boolean elapsed(Instant since, Duration delay) {
        return !Instant.now().isBefore(since.plus(delay));
    }

    String imageState(Model.AmiRec ami) {
        if (!elapsed(ami.created, ami.availableAfter)) {
            return "pending";
        }
        if (ami.failAfterDelay) {
            return "failed";
        }
        for (String snapId : ami.ownSnapshots) {
            Model.SnapRec snap = regions.get(ami.region).snapshots.get(snapId);
            if (snap != null && !"completed".equals(snapshotState(snap))) {
                return "pending";
            }
        }
        return "available";
    }

    String snapshotState(Model.SnapRec snap) {
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

    String snapshotProgress(Model.SnapRec snap) {
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

    String instanceState(Model.InstRec inst) {
        Delays d = delays;
        if (inst.terminatedAt != null) {
            return elapsed(inst.terminatedAt, d.instanceShutdown()) ? "terminated" : "shutting-down";
        }
        if (inst.stoppedAt != null) {
            return elapsed(inst.stoppedAt, d.instanceShutdown()) ? "stopped" : "stopping";
        }
        return elapsed(inst.created, d.instancePending()) ? "running" : "pending";
    }

    static int stateCode(String state) {
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
    String statusCheck(Model.InstRec inst) {
        if (!"running".equals(instanceState(inst))) {
            return "not-applicable";
        }
        Instant runningSince = inst.created.plus(delays.instancePending());
        if (!elapsed(runningSince, delays.instanceStatusChecks())) {
            return "initializing";
        }
        return faults.instanceNeverPassesStatusChecks() ? "impaired" : "ok";
    }

    String volumeState(Model.VolRec vol) {
        if (!elapsed(vol.created, delays.volumeCreation())) {
            return "creating";
        }
        return vol.attachedTo != null ? "in-use" : "available";
    }

    /** Just-created resources stay invisible to this many describes when eventual consistency is on. */
    static boolean hiddenByConsistency(Model.Resource r) {
        if (r.hiddenDescribes > 0) {
            r.hiddenDescribes--;
            return true;
        }
        return false;
    }

    void markNew(Model.Resource r) {
        r.hiddenDescribes = delays.eventualConsistencyNotFound();
    }

    // ---- content ----

    /** Gives a volume its sparse backing file, filled from its snapshot, the first time a script may see it. */
    Path materialize(Model.VolRec vol) {
        if (vol.materialized) {
            return vol.file;
        }
        Path file = store.volumeFile(vol.id);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) vol.sizeGiB << 30);
            if (vol.snapshotId != null) {
                Model.SnapRec snap = findSnapshotAnywhere(vol.snapshotId);
                if (snap != null) {
                    byte[] buf = new byte[BlockStore.BLOCK_SIZE];
                    for (Map.Entry<Integer, String> e : snap.blocks.entrySet()) {
                        if (BlockStore.ZERO.equals(e.getValue())) {
                            continue;
                        }
                        store.read(e.getValue(), buf);
                        raf.seek((long) e.getKey() * BlockStore.BLOCK_SIZE);
                        raf.write(buf);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        vol.file = file;
        vol.materialized = true;
        return file;
    }

    private Model.SnapRec findSnapshotAnywhere(String id) {
        for (RegionState r : regions.values()) {
            Model.SnapRec s = r.snapshots.get(id);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** CreateSnapshot: captures the volume's blocks in the background; the snapshot is pending until then. */
    void captureVolume(Model.SnapRec snap, Model.VolRec vol) {
        if (!vol.materialized) {
            Model.SnapRec source = vol.snapshotId == null ? null : findSnapshotAnywhere(vol.snapshotId);
            if (source != null) {
                source.blocks.forEach((k, v) -> {
                    if ((long) k < (long) vol.sizeGiB * BlockStore.BLOCKS_PER_GIB && !BlockStore.ZERO.equals(v)) {
                        snap.blocks.put(k, v);
                    }
                });
            }
            snap.dataReadyAt = Instant.now();
            return;
        }
        Path file = vol.file;
        long size = (long) vol.sizeGiB << 30;
        workers.submit(() -> {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                byte[] buf = new byte[BlockStore.BLOCK_SIZE];
                long length = Math.min(raf.length(), size);
                for (long offset = 0, index = 0; offset < length; offset += BlockStore.BLOCK_SIZE, index++) {
                    java.util.Arrays.fill(buf, (byte) 0);
                    raf.seek(offset);
                    int n = 0;
                    while (n < BlockStore.BLOCK_SIZE) {
                        int r = raf.read(buf, n, BlockStore.BLOCK_SIZE - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    if (!BlockStore.isZero(buf, BlockStore.BLOCK_SIZE)) {
                        snap.blocks.put((int) index, store.put(buf, BlockStore.sha256(buf, BlockStore.BLOCK_SIZE)));
                    }
                }
                snap.dataReadyAt = Instant.now();
            } catch (IOException | RuntimeException e) {
                snap.error = true;
            }
        });
    }

    /** SHA-256 over the snapshot's full logical content (zeros included), streamed block by block. */
    String snapshotSha256(Model.SnapRec snap) {
        MessageDigest sha = BlockStore.newSha256();
        byte[] buf = new byte[BlockStore.BLOCK_SIZE];
        byte[] zeros = new byte[BlockStore.BLOCK_SIZE];
        long blocks = (long) snap.sizeGiB * BlockStore.BLOCKS_PER_GIB;
        for (int i = 0; i < blocks; i++) {
            String key = snap.blocks.get(i);
            if (key == null || BlockStore.ZERO.equals(key)) {
                sha.update(zeros);
            } else {
                store.read(key, buf);
                sha.update(buf);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    // ---- instances ----

    void scheduleBoot(Model.InstRec inst) {
        long delayMs = Math.max(0, Duration.between(Instant.now(), inst.created.plus(delays.instancePending())).toMillis());
        Runnable boot = () -> {
            synchronized (this) {
                if (inst.terminatedAt != null || regions.get(inst.region).instances.get(inst.id) != inst) {
                    return;
                }
                inst.run = runner.boot(inst.id, inst.userData, inst.instanceType, run -> linkAll(inst, run),
                        this::instanceShutdownRequested);
            }
        };
        boots.put(inst.id, scheduler.schedule(boot, delayMs, TimeUnit.MILLISECONDS));
    }

    private void linkAll(Model.InstRec inst, UserDataRunner.Run run) {
        RegionState region = regions.get(inst.region);
        int nvme = 0;
        for (Map.Entry<String, String> e : inst.devices.entrySet()) {
            Model.VolRec vol = region.volumes.get(e.getValue());
            boolean root = e.getKey().equals(inst.rootDeviceName);
            if (vol != null && !root) {
                runner.attach(run, e.getKey(), vol.id, materialize(vol), ++nvme);
            }
        }
    }

    /** A volume attached to a booted instance appears in its /dev. */
    void linkVolume(Model.InstRec inst, Model.VolRec vol) {
        if (inst.run == null) {
            return;
        }
        int nvme = (int) inst.devices.keySet().stream().filter(d -> !d.equals(inst.rootDeviceName)).count();
        runner.attach(inst.run, vol.device, vol.id, materialize(vol), nvme);
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

    private void instanceShutdownRequested(String instanceId) {
        synchronized (this) {
            for (RegionState r : regions.values()) {
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
        for (String volId : List.copyOf(inst.devices.values())) {
            Model.VolRec vol = region.volumes.get(volId);
            if (vol == null) {
                continue;
            }
            vol.attachedTo = null;
            vol.device = null;
            if (vol.deleteOnTermination) {
                deleteVolume(region, vol);
            }
        }
        inst.devices.clear();
    }

    void deleteVolume(RegionState region, Model.VolRec vol) {
        region.volumes.remove(vol.id);
        if (vol.materialized) {
            try {
                Files.deleteIfExists(vol.file);
            } catch (IOException e) {
                // a script may still hold it; the work dir goes at close
            }
        }
    }

    // ---- reset / close ----

    public synchronized void reset() {
        boots.values().forEach(f -> f.cancel(false));
        boots.clear();
        for (RegionState r : regions.values()) {
            for (Model.InstRec inst : r.instances.values()) {
                if (inst.run != null) {
                    runner.terminate(inst.run);
                    runner.cleanup(inst.run);
                }
            }
        }
        createRegions();
        calls.clear();
        faults.clear();
        store.clear();
    }

    public void close() {
        synchronized (this) {
            for (RegionState r : regions.values()) {
                for (Model.InstRec inst : r.instances.values()) {
                    if (inst.run != null) {
                        runner.terminate(inst.run);
                    }
                }
            }
        }
        scheduler.shutdownNow();
        workers.shutdownNow();
        runner.close();
        store.delete();
    }
}
