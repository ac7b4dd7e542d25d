package org.fedoraproject.fedimg.tester.job;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.fedoraproject.fedimg.messaging.AsyncSemaphore;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Runs test jobs side by side, at most {@code fedimg.tester.max-concurrent-jobs} at once. The variants of one
 * image share a Kafka key and so a partition; handled one record at a time, each variant's boot waited for the
 * previous one's, and the test stage grew with the number of variants. Here the consumer takes the next record
 * as soon as a slot is free and the job finishes, and acks, in the background; the throttled commit strategy
 * still commits only below the oldest unfinished record, so a crash redelivers every unfinished job.
 *
 * <p>Jobs of one AMI (a redelivery, a replay) stay in one lane, one after the other, so the second finds the
 * first one's recorded verdict and re-emits the same event. In {@code one-per-group} mode the lane is the
 * image: the first sibling boots the representative and the others take its recorded verdict
 * ({@code SiblingSelection}).
 */
@ApplicationScoped
public class JobLanes {

    private static final Logger LOG = Logger.getLogger(JobLanes.class);

    private final AsyncSemaphore slots;
    private final boolean lanePerImage;
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    @Inject
    public JobLanes(TesterConfig config) {
        this(config.maxConcurrentJobs(), config.selection() == TesterConfig.Selection.ONE_PER_GROUP);
    }

    JobLanes(int maxJobs, boolean lanePerImage) {
        this.slots = new AsyncSemaphore(maxJobs);
        this.lanePerImage = lanePerImage;
    }

    /**
     * Completes once the job holds a slot, so the channel can take its next record; the job then runs in the
     * background, after the previous job of its lane, and must settle its record itself. A job that fails is only
     * logged here: settling is its own business.
     */
    public Uni<Void> start(String imageKey, String amiId, Supplier<Uni<Void>> job) {
        String lane = lanePerImage ? "image " + imageKey : "ami " + amiId;
        return slots.acquire().invoke(() -> {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> before = tails.put(lane, mine);
            Uni<Void> turn = before == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(before);
            turn.chain(job::get)
                    .eventually(() -> {
                        slots.release();
                        tails.remove(lane, mine);
                        mine.complete(null);
                    })
                    .subscribe().with(x -> { }, t -> LOG.errorf(t, "test job of %s ended with a failure", lane));
        });
    }

    public int inFlight() {
        return slots.inUse();
    }
}
