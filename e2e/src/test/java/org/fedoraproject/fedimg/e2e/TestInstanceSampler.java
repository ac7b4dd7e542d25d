package org.fedoraproject.fedimg.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Inspector;
import org.fedoraproject.fedimg.emulator.Views;

/**
 * Counts the test instances alive (pending or running) per region in the emulator every 200 ms for the whole
 * run, whichever tester process launched them (replicas, or a process killed before it cleaned up): what the
 * tester's per-region limit ({@code max-concurrent-per-region}) promises EC2 never exceeds. An instance the tester
 * terminated before its test because it was launched beyond the limit at the same moment as another replica's
 * (tag {@code fedimg:test-gave-way}) is counted apart: it never tested anything.
 */
final class TestInstanceSampler implements AutoCloseable {

    private static final Duration EVERY = Duration.ofMillis(200);
    private static final Set<String> ALIVE = Set.of("pending", "running");
    private static final String GAVE_WAY = "fedimg:test-gave-way";

    /**
     * The most test instances seen alive at once in a region (those that gave way not counted), when, and which
     * (each as its id and the AMI and attempt it tests).
     */
    record Peak(int instances, Instant at, List<String> testedBy) {
    }

    private record Sample(String region, Instant at, List<String> alive) {
    }

    private final Inspector ec2;
    private final List<String> regions;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Set<String> gaveWay = ConcurrentHashMap.newKeySet();
    /**
     * Instance id → what it tests, for a finding: "i-... (ami-... attempt 2 of Fedora-Cloud-...)"; the compose id
     * lets the crash points count it against the kills that had that compose in flight.
     */
    private final Map<String, String> labels = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    TestInstanceSampler(Inspector ec2, List<String> regions) {
        this.ec2 = ec2;
        this.regions = List.copyOf(regions);
        thread = new Thread(this::loop, "test-instance-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            for (String region : regions) {
                List<Views.Instance> tests = ec2.instances(region).stream()
                        .filter(i -> "test-instance".equals(i.tags().get(AwsTags.PURPOSE))).toList();
                // the tag is written just before the termination: seen on the instance once it has gone
                tests.stream().filter(i -> i.tags().containsKey(GAVE_WAY)).forEach(i -> gaveWay.add(i.instanceId()));
                List<Views.Instance> alive = tests.stream().filter(i -> ALIVE.contains(i.state())).toList();
                alive.forEach(i -> labels.computeIfAbsent(i.instanceId(), id -> id + " (" + i.tags().get("fedimg:test-ami")
                        + " attempt " + i.tags().get("fedimg:test-attempt") + " of " + i.tags().get(AwsTags.COMPOSE_ID) + ")"));
                if (!alive.isEmpty()) {
                    samples.add(new Sample(region, Instant.now(), alive.stream().map(Views.Instance::instanceId).sorted().toList()));
                }
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The highest count in any region. */
    int peak() {
        return peaks().values().stream().mapToInt(Peak::instances).max().orElse(0);
    }

    /** Per region with test instances, its peak. */
    Map<String, Peak> peaks() {
        Map<String, Peak> peaks = new TreeMap<>();
        for (Sample s : samples) {
            List<String> tested = s.alive().stream().filter(id -> !gaveWay.contains(id)).map(id -> labels.getOrDefault(id, id))
                    .toList();
            peaks.merge(s.region(), new Peak(tested.size(), s.at(), tested),
                    (old, now) -> now.instances() > old.instances() ? now : old);
        }
        return peaks;
    }

    /** Test instances seen that gave way to the limit (terminated before their test). */
    int gaveWay() {
        return gaveWay.size();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
