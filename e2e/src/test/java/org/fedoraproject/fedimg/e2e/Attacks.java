package org.fedoraproject.fedimg.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;

/**
 * The ways a reliability run is attacked, all driven by one seed: SIGKILL and restart of every service process
 * (each replica on its own schedule, so services and replicas also die together), restarts of the Kafka broker,
 * and AWS faults. The seed fixes the schedules (which process, how long it runs before the kill, how long it stays
 * down), not how they interleave with the work: that depends on the machine. Only what really happened is
 * counted: a broker this run cannot restart (an external one) is a skip with its reason, not a restart.
 */
final class Attacks {

    /** Where every CopyImage fails. */
    static final String FAILING_REGION = "ap-east-1";

    private final ReliabilityRun run;
    private final long seed;
    private final Map<String, Integer> kills = new ConcurrentHashMap<>();
    private final Map<String, Long> restartMillis = new ConcurrentHashMap<>();
    private int brokerRestarts;
    private String brokerRestartSkipped;

    Attacks(ReliabilityRun run, long seed) {
        this.run = run;
        this.seed = seed;
    }

    static long seed() {
        String given = System.getProperty("fedimg.reliability.seed", "");
        long seed = given.isBlank() ? new Random().nextLong() : Long.parseLong(given.trim());
        System.out.println("[reliability] seed " + seed + " (rerun the same schedules with -Dfedimg.reliability.seed=" + seed + ")");
        return seed;
    }

    static int intProperty(String name, int fallback) {
        return Integer.parseInt(System.getProperty(name, String.valueOf(fallback)).trim());
    }

    /**
     * Kills each service process {@code times} times (after {@code minUp} to {@code maxUp} of work, down for up
     * to 3 s), one schedule per process running side by side, while {@code feed} sends composes; returns once
     * every process has been restarted for the last time.
     */
    void killEveryService(int times, Duration minUp, Duration maxUp, Feed feed) throws Exception {
        List<ReliabilityRun.Replica> targets = run.replicas();
        ExecutorService pool = Executors.newFixedThreadPool(targets.size());
        try {
            List<Future<?>> loops = new ArrayList<>();
            int i = 0;
            for (ReliabilityRun.Replica target : targets) {
                Random random = new Random(seed + 31L * i++);
                ServiceProcess service = target.process();
                String name = target.label();
                loops.add(pool.submit(() -> {
                    for (int k = 0; k < times; k++) {
                        sleep(minUp.toMillis() + (long) (random.nextDouble() * (maxUp.toMillis() - minUp.toMillis())));
                        service.kill();
                        kills.merge(name, 1, Integer::sum);
                        sleep(random.nextInt(3000));
                        Instant begin = Instant.now();
                        service.start(ReliabilityRun.READY_TIMEOUT);
                        restartMillis.merge(name, Duration.between(begin, Instant.now()).toMillis(), Long::sum);
                    }
                    return null;
                }));
            }
            while (loops.stream().anyMatch(f -> !f.isDone())) {
                feed.next();
            }
            for (Future<?> f : loops) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Why a run cannot restart its Kafka broker (an external one), or null when it can. */
    static String brokerRestartImpossible() {
        return KafkaBroker.external().map(b -> "the Kafka broker is external (" + KafkaBroker.ENV_BOOTSTRAP + "=" + b
                + "): a test cannot restart it").orElse(null);
    }

    /**
     * Restarts the broker (same port, same log) after a random 5 to 20 s; every other one is a SIGKILL. An
     * external broker is not restarted: the skip and its reason are recorded ({@link #brokerRestartSkipped}) and
     * printed, and nothing is counted.
     */
    void restartBroker() {
        KafkaBroker broker = run.pipeline().broker();
        String impossible = broker.isExternal() ? brokerRestartImpossible() : null;
        if (impossible != null) {
            brokerRestartSkipped = impossible;
            System.out.println("[reliability] broker restart SKIPPED: " + impossible);
            return;
        }
        Random random = new Random(seed + 1000 + brokerRestarts);
        sleep(5000 + random.nextInt(15000));
        if (brokerRestarts % 2 == 0) {
            broker.kill();
        } else {
            broker.stop();
        }
        sleep(random.nextInt(3000));
        broker.start();
        brokerRestarts++;
    }

    /**
     * Every call 10% throttled and 1% 5xx, every copy into {@link #FAILING_REGION} failing, and EBS direct
     * answering "snapshot does not exist" for the first 3 s of every snapshot.
     */
    static void awsFaults(Faults faults) {
        faults.throttle(0.10).internalErrors(0.01).failCopyImageInto(FAILING_REGION)
                .snapshotNotFoundFor(Duration.ofSeconds(3));
    }

    static Set<String> failingRegions() {
        return Set.of(FAILING_REGION);
    }

    int brokerRestarts() {
        return brokerRestarts;
    }

    /** Why broker restarts were skipped, or null if none was. */
    String brokerRestartSkipped() {
        return brokerRestartSkipped;
    }

    /** "process: kills (mean restart to ready)" per service process. */
    String killSummary() {
        Map<String, String> out = new TreeMap<>();
        kills.forEach((name, n) -> out.put(name, n + " (restart to ready " + restartMillis.getOrDefault(name, 0L) / n / 100 / 10.0 + " s)"));
        return out.toString().replaceAll("[{}]", "").replace("=", ": ");
    }

    int totalKills() {
        return kills.values().stream().mapToInt(Integer::intValue).sum();
    }

    int fewestKills() {
        return run.replicas().stream().mapToInt(r -> kills.getOrDefault(r.label(), 0)).min().orElse(0);
    }

    /** Sends the next compose, or waits: called in a loop while the attack lasts. */
    interface Feed {
        void next() throws Exception;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
