package org.fedoraproject.fedimg.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.emulator.Delays;

/**
 * The AWS floor of one compose: the sum of the emulator's delays along the longest chain from the compose message
 * to the last region public, i.e. what the compose would take if fedimg added nothing (no Kafka, no polling, no
 * work of its own, every independent step side by side). The chain of one AMI variant:
 * <ol>
 * <li>snapshot completion (counted by the emulator from CompleteSnapshot: the data upload itself is not an AWS delay
 * and is left out; the bench's images are 1 MiB);</li>
 * <li>image available (RegisterImage);</li>
 * <li>an encrypted variant only: its encrypted CopyImage in the base region (copy available);</li>
 * <li>one test boot: instance pending, then the status checks; the test script (bash backend) runs from
 * "running", beside the status checks, and takes milliseconds, so it adds nothing after them;</li>
 * <li>the region copy (copy available), all regions side by side; none when only the base region is enabled;</li>
 * <li>the publish calls (ModifyImageAttribute, ModifySnapshotAttribute): immediate in the emulator.</li>
 * </ol>
 * Every variant's chain runs beside the others, so the floor is the longest one: an encrypted variant's when they
 * are on.
 */
record AwsFloor(String chain, List<Term> terms) {

    record Term(String name, Duration delay) {
    }

    static AwsFloor of(Delays d, boolean encrypted, int regions) {
        List<Term> terms = new ArrayList<>();
        terms.add(new Term("snapshot completion", d.snapshotCompletion()));
        terms.add(new Term("image available", d.imageAvailable()));
        if (encrypted) {
            terms.add(new Term("encrypted twin: copy available", d.copyAvailable()));
        }
        terms.add(new Term("test boot: instance pending", d.instancePending()));
        terms.add(new Term("test boot: status checks", d.instanceStatusChecks()));
        terms.add(new Term("test script after status ok (bash backend)", Duration.ZERO));
        if (regions > 1) {
            terms.add(new Term("region copy: copy available", d.copyAvailable()));
        }
        terms.add(new Term("publish calls", Duration.ZERO));
        return new AwsFloor(encrypted ? "encrypted variant" : "unencrypted variant", terms);
    }

    long millis() {
        return terms.stream().mapToLong(t -> t.delay().toMillis()).sum();
    }

    /** "snapshot completion 60 s + image available 30 s + … = 270 s". */
    String written() {
        return terms.stream().map(t -> t.name() + " " + seconds(t.delay().toMillis())).collect(Collectors.joining(" + "))
                + " = " + seconds(millis());
    }

    static String seconds(long millis) {
        return String.format("%.1f s", millis / 1000.0);
    }
}
