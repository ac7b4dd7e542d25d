package org.fedoraproject.fedimg.messaging;

import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Minutes-long jobs side by side, at most {@code maxJobs} at once, for a consumer that reads one record at a
 * time. Records of different keys share a partition, so a consumer that handled a record to its end before taking
 * the next made each image (or variant) wait for the one before it: the second image of a compose waited for
 * the first one's whole upload, the standard AMI's test for the gp3 one's boot. Here the channel takes the next
 * record as soon as a slot is free, and the job finishes, and settles its record, in the background; the
 * throttled commit strategy still commits only below the oldest unfinished record, so a crash redelivers every
 * unfinished job.
 *
 * <p>Jobs of one lane (a redelivery of the same image or AMI, a replay) run one after the other in record order
 * ({@link KeyedTurns}), so the second finds what the first left behind.
 */
public final class JobLanes {

    private static final Logger LOG = Logger.getLogger(JobLanes.class);

    private final AsyncSemaphore slots;
    private final KeyedTurns lanes = new KeyedTurns();

    public JobLanes(int maxJobs) {
        this.slots = new AsyncSemaphore(maxJobs);
    }

    /**
     * Completes once the job holds a slot, so the channel can take its next record; the job then runs after the
     * previous job of its lane and must settle its record itself. A job that fails is only logged here: settling
     * is its own business.
     */
    public Uni<Void> start(String lane, Supplier<Uni<Void>> job) {
        // subscribed inside invoke, so the job takes its place in the lane in record order
        return slots.acquire().invoke(() -> lanes.run(lane, job)
                .eventually(slots::release)
                .subscribe().with(x -> { }, t -> LOG.errorf(t, "job of %s ended with a failure", lane)));
    }

    public int inFlight() {
        return slots.inUse();
    }
}
