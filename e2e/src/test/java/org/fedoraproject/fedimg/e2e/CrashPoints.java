package org.fedoraproject.fedimg.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.emulator.CallSignals;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;

/**
 * Kills at AWS call boundaries instead of by the clock. For a service process and one of the AWS operations it
 * makes, the emulator signals before (the call then has no effect: the process died before its request reached
 * AWS) or after (the call took effect, the answer never reached the process) the Nth call of that operation made
 * with the process's access key ({@link CallSignals}), and the signal SIGKILLs the process there and then. One
 * more point per service: the moment its output event is on Kafka ({@link #OUTPUT}), after its last AWS call of
 * that job and before its consumer commits the input's offset (throttled commits, every 5 s): every process of
 * the service is killed at once.
 *
 * <p>The plan comes from the run itself ({@link #plan}): every operation each service made while the first
 * compose went through (read from the emulator's count per access key), before and after, plus the output point.
 * Every service works through its points one at a time (arm, wait until it fires, kill, restart, wait until
 * ready), the services side by side, while composes keep arriving. A point that does not fire within its time (an
 * operation made only at start-up, say) is reported as not reached, not as survived.
 */
final class CrashPoints {

    /** The pseudo-operation "between the last AWS call and the Kafka commit". */
    static final String OUTPUT = "output→commit";
    /** Read-only polling (Describe*, List*): a kill before or after one is a kill between two others. */
    private static final Predicate<String> MUTATING_OR_LISTED = op -> !op.startsWith("Describe") && !op.startsWith("List");
    /** Which of a job's calls to stop at: PutSnapshotBlock in the middle of an 8 MiB image (16 blocks). */
    private static final Map<String, Integer> NTH = Map.of("PutSnapshotBlock", 6);
    private static final Map<String, Class<? extends FedimgEvent>> OUTPUTS = Map.of("uploader-service", AmiRegistered.class,
            "tester-service", AmiTested.class, "replicator-service", ImagePublished.class);

    enum Side {
        BEFORE, AFTER
    }

    /** Where to kill: a service, an operation (or {@link #OUTPUT}) and a side. */
    record Point(String service, String operation, Side side) implements Comparable<Point> {
        @Override
        public int compareTo(Point o) {
            return (service + operation + side).compareTo(o.service + o.operation + o.side);
        }

        @Override
        public String toString() {
            return service + " " + operation + (OUTPUT.equals(operation) ? "" : " " + side.name().toLowerCase());
        }
    }

    /** What became of a point: when it fired (null: not reached), the process killed, the composes in flight. */
    record Hit(Point point, Instant at, String process, int nth, Duration restart, Set<String> composesInFlight,
            String note) {
        boolean reached() {
            return at != null;
        }
    }

    private final ReliabilityRun run;
    private final long seed;
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Hit>> armedOutputs = new ConcurrentHashMap<>();
    private Map<String, Set<String>> operations = Map.of();

    CrashPoints(ReliabilityRun run, long seed) {
        this.run = run;
        this.seed = seed;
        run.onEvent(this::onEvent);
    }

    /**
     * Every operation (but Describe and List polling) each service made so far, before and after, plus each
     * service's output point; only the points of {@code only}'s operations when it is not empty ({@code output}
     * names the output points); ordered by service and operation, then shuffled by the seed within a service so
     * that runs differ in which point comes first, and cut to {@code limit} per service (0: all).
     */
    List<Point> plan(int limit, Set<String> only) {
        Predicate<String> wanted = op -> only.isEmpty() || only.contains(op) || OUTPUT.equals(op) && only.contains("output");
        Map<String, Set<String>> ops = new TreeMap<>();
        run.pipeline().emulator().inspect().callsByAccessKey().forEach((key, calls) -> run.replicaByAccessKey(key)
                .ifPresent(r -> ops.computeIfAbsent(r.service(), s -> new TreeSet<>()).addAll(calls.keySet().stream()
                        .filter(MUTATING_OR_LISTED).toList())));
        operations = ops;
        System.out.println("[reliability] operations per service: " + ops);
        List<Point> plan = new ArrayList<>();
        ops.forEach((service, operations) -> {
            List<Point> mine = new ArrayList<>();
            operations.stream().filter(wanted).forEach(op -> {
                mine.add(new Point(service, op, Side.BEFORE));
                mine.add(new Point(service, op, Side.AFTER));
            });
            if (OUTPUTS.containsKey(service) && wanted.test(OUTPUT)) {
                mine.add(new Point(service, OUTPUT, Side.AFTER));
            }
            Collections.sort(mine);
            Collections.shuffle(mine, new Random(seed + service.hashCode()));
            plan.addAll(limit > 0 ? mine.subList(0, Math.min(limit, mine.size())) : mine);
        });
        Set<String> unknown = new TreeSet<>(only);
        ops.values().forEach(unknown::removeAll);
        unknown.remove("output");
        if (!unknown.isEmpty()) {
            // a typo, or an operation no service made for the first compose: a quick check must not pass empty
            throw new IllegalStateException("no service made " + unknown + " for the first compose; operations: " + ops);
        }
        return plan;
    }

    /** Works through the points, one service's points in a row, the services side by side; composes keep coming. */
    void hitAll(List<Point> plan, Duration perPoint, Attacks.Feed feed) throws Exception {
        Map<String, List<Point>> byService = plan.stream().collect(Collectors.groupingBy(Point::service, TreeMap::new,
                Collectors.toList()));
        // a thread per service: they mostly wait (for a signal, for a restart), the common pool has one on 2 CPUs
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(byService.size());
        try {
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (List<Point> points : byService.values()) {
                loops.add(CompletableFuture.runAsync(() -> points.forEach(p -> hit(p, perPoint)), pool));
            }
            CompletableFuture<Void> all = CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new));
            while (!all.isDone()) {
                feed.next();
            }
            all.get();
        } finally {
            pool.shutdownNow();
        }
    }

    List<Hit> hits() {
        return List.copyOf(hits);
    }

    /** Arms one point, waits until it fires (or {@code timeout}), restarts what it killed. */
    Hit hit(Point point, Duration timeout) {
        List<ReliabilityRun.Replica> replicas = run.replicas().stream().filter(r -> r.service().equals(point.service()))
                .toList();
        CompletableFuture<Hit> fired = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
        if (OUTPUT.equals(point.operation())) {
            armedOutputs.put(point.service(), fired);
        } else {
            var faults = run.pipeline().emulator().faults();
            for (ReliabilityRun.Replica r : replicas) {
                faults.signalAt(point.operation(), r.accessKey(), NTH.getOrDefault(point.operation(), 1),
                        point.side() == Side.BEFORE ? CallSignals.When.BEFORE : CallSignals.When.AFTER, call -> {
                            // one replica's call wins; the kill happens here, in the emulator's thread, so the
                            // call's effect (AFTER) is in and its answer has not gone out
                            if (claimed.compareAndSet(false, true)) {
                                killNow(r);
                                fired.complete(new Hit(point, Instant.now(), r.label(), call.nth(), null,
                                        run.composesInFlight(), ""));
                            }
                        });
            }
        }
        Hit hit;
        try {
            hit = await(fired, timeout.dividedBy(2));
            if (hit == null) {
                // an operation made only when a process starts (a clean-up, a check of the account): start again
                provoke(replicas);
                hit = await(fired, timeout.dividedBy(2));
                if (hit != null) {
                    hit = new Hit(hit.point(), hit.at(), hit.process(), hit.nth(), null, hit.composesInFlight(),
                            "during a start-up (the processes were restarted gracefully to reach it)");
                }
            }
            if (hit == null) {
                hit = new Hit(point, null, null, 0, null, Set.of(), "not reached in " + timeout.toMinutes()
                        + " min, a graceful restart included");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            armedOutputs.remove(point.service());
            // unfired signals of the other replicas (or of a point not reached) must not fire later
            replicas.forEach(r -> run.pipeline().emulator().faults().signals().disarm(r.accessKey()));
        }
        Instant begin = Instant.now();
        for (ReliabilityRun.Replica r : replicas) {
            restart(r);
        }
        Hit done = hit.reached() ? new Hit(hit.point(), hit.at(), hit.process(), hit.nth(),
                Duration.between(begin, Instant.now()), hit.composesInFlight(), hit.note()) : hit;
        hits.add(done);
        System.out.println("[reliability] crash point " + point + ": " + (done.reached() ? "killed " + done.process()
                + " at call " + done.nth() + ", composes in flight " + done.composesInFlight() : done.note()));
        return done;
    }

    private static Hit await(CompletableFuture<Hit> fired, Duration timeout) throws Exception {
        try {
            return fired.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    /** Stops (SIGTERM) and starts every process of the service; one the armed signal kills at start is left dead. */
    private static void provoke(List<ReliabilityRun.Replica> replicas) {
        for (ReliabilityRun.Replica r : replicas) {
            r.process().stop();
            try {
                r.process().start(ReliabilityRun.READY_TIMEOUT);
            } catch (IllegalStateException e) {
                System.out.println("[reliability] " + r.label() + " died while starting (a crash point, or not): "
                        + e.getMessage());
            }
        }
    }

    private void onEvent(FedimgEvent e) {
        OUTPUTS.forEach((service, type) -> {
            CompletableFuture<Hit> fired = armedOutputs.get(service);
            if (fired != null && type.isInstance(e) && !fired.isDone()) {
                List<ReliabilityRun.Replica> all = run.replicas().stream().filter(r -> r.service().equals(service)).toList();
                all.forEach(CrashPoints::killNow);
                fired.complete(new Hit(new Point(service, OUTPUT, Side.AFTER), Instant.now(),
                        all.stream().map(ReliabilityRun.Replica::label).collect(Collectors.joining(" ")), 1, null,
                        run.composesInFlight(), type.getSimpleName() + " " + e.imageKey()));
            }
        });
    }

    /**
     * SIGKILL by pid, without {@code ServiceProcess}' lock: the process may be starting (the lock held while it
     * waits for readiness) and making this very call.
     */
    private static void killNow(ReliabilityRun.Replica r) {
        long pid = r.process().pid();
        Optional<ProcessHandle> handle = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        handle.ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("[reliability] " + r.label() + " (pid " + pid + ") did not exit after SIGKILL: " + e);
            }
        });
    }

    /** Starts a process again if it is down (killed here, or died at start); a start that fails is tried again. */
    private static void restart(ReliabilityRun.Replica r) {
        for (int attempt = 1; !r.process().isAlive(); attempt++) {
            r.process().kill(); // forget the dead process
            try {
                r.process().start(ReliabilityRun.READY_TIMEOUT);
            } catch (IllegalStateException e) {
                if (attempt >= 3) {
                    throw e;
                }
                System.out.println("[reliability] " + r.label() + " did not start (attempt " + attempt + "): " + e.getMessage());
            }
        }
    }

    /**
     * The report's table: operation × {before, after} per service, each cell the outcome of its point: the audit's
     * findings about the composes in flight at the kill (none: "ok"), or "not reached".
     */
    String table(List<String> findings) {
        StringBuilder md = new StringBuilder("| service | operation | killed before the call | killed after the call |\n"
                + "| --- | --- | --- | --- |\n");
        Map<String, Map<String, Map<Side, Hit>>> grid = new TreeMap<>();
        hits.forEach(h -> grid.computeIfAbsent(h.point().service(), s -> new TreeMap<>())
                .computeIfAbsent(h.point().operation(), o -> new TreeMap<>()).put(h.point().side(), h));
        grid.forEach((service, ops) -> ops.forEach((op, sides) -> {
            md.append("| ").append(service).append(" | ").append(op).append(" | ");
            if (OUTPUT.equals(op)) {
                md.append("(after the output event is on Kafka, before the commit) | ").append(cell(sides.get(Side.AFTER),
                        findings));
            } else {
                md.append(cell(sides.get(Side.BEFORE), findings)).append(" | ").append(cell(sides.get(Side.AFTER), findings));
            }
            md.append(" |\n");
        }));
        return md.toString();
    }

    /** Findings that name a compose in flight at one of the kills (or one of its images). */
    List<String> attributed(List<String> findings) {
        Set<String> composes = hits.stream().flatMap(h -> h.composesInFlight().stream()).collect(Collectors.toSet());
        return findings.stream().filter(f -> names(f, composes)).toList();
    }

    /** Whether a finding names one of these composes: its id, or one of its images by file name, name or key. */
    private boolean names(String finding, Set<String> composeIds) {
        return run.composes().stream().filter(c -> composeIds.contains(c.composeId())).anyMatch(c -> finding.contains(
                c.composeId()) || c.images().stream().anyMatch(i -> finding.contains(i.fileName().replaceFirst(
                        "\\.raw\\.xz$", ""))));
    }

    private String cell(Hit h, List<String> findings) {
        if (h == null) {
            return "not planned";
        }
        if (!h.reached()) {
            return "**not reached** (" + h.note() + ")";
        }
        long problems = findings.stream().filter(f -> names(f, h.composesInFlight())).count();
        return (problems == 0 ? "invariants hold" : "**" + problems + " problem(s)**") + " (call " + h.nth() + ", "
                + h.process() + ", ready again in " + h.restart().toSeconds() + " s)";
    }

    /** The operations (Describe and List polling left out) each service made for the first compose: the plan's source. */
    String operations() {
        return operations.entrySet().stream().map(e -> e.getKey() + ": " + String.join(", ", e.getValue()))
                .collect(Collectors.joining("; "));
    }

    long reached() {
        return hits.stream().filter(Hit::reached).count();
    }
}
