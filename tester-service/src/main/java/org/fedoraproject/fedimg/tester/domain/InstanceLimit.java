package org.fedoraproject.fedimg.tester.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The per-region limit of test instances as EC2 shows it, across every tester replica: a launch waits until
 * fewer than the limit are alive, and since two replicas can both see room and launch at once, each then checks
 * again and the later launches give way. "Later" is the same for every observer (launch time, then instance
 * id), so exactly the instances beyond the limit give way, never all of them. An AMI's own instances are not
 * counted against its launch: one of the same attempt is the very instance the launch gets back (its ClientToken),
 * and one of an earlier attempt is being terminated by the job first (an ssh run after a crash), which EC2 may not
 * show yet; counting either would make a relaunch wait for itself.
 */
public final class InstanceLimit {

    /** A test instance alive (pending or running) in the region, and the AMI it tests. */
    public record Alive(String instanceId, String amiId, Instant launchTime) {
    }

    private static final Comparator<Alive> LAUNCH_ORDER = Comparator
            .comparing(Alive::launchTime, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Alive::instanceId);

    private InstanceLimit() {
    }

    /** Whether one more may be launched to test {@code amiId}. */
    public static boolean room(List<Alive> alive, String amiId, int limit) {
        return alive.stream().filter(a -> !amiId.equals(a.amiId())).count() < limit;
    }

    /** Whether the instance just launched is among the first {@code limit} alive; it counts even if EC2 does not list it yet. */
    public static boolean mayProceed(List<Alive> alive, Alive launched, int limit) {
        List<Alive> all = new ArrayList<>(alive.stream().filter(a -> !launched.amiId().equals(a.amiId())).toList());
        all.add(launched);
        all.sort(LAUNCH_ORDER);
        return all.indexOf(launched) < limit;
    }
}
