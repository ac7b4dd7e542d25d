package org.fedoraproject.fedimg.replicator.job;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.messaging.KeyedTurns;
import org.fedoraproject.fedimg.messaging.StageSpan;
import org.fedoraproject.fedimg.replicator.aws.RegionDirectory;
import org.fedoraproject.fedimg.replicator.aws.SourceImages;
import org.fedoraproject.fedimg.replicator.catalogue.PublishedStore;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator.ExpectedVariant;
import org.fedoraproject.fedimg.replicator.domain.ImageAggregator.ImageRef;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Refusal;
import org.fedoraproject.fedimg.replicator.domain.RegionSelection;
import org.fedoraproject.fedimg.replicator.domain.RegionSelection.Plan;
import org.fedoraproject.fedimg.replicator.domain.ReplicationEvents;
import org.fedoraproject.fedimg.replicator.messaging.Outbox;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * One {@link AmiTested} (one AMI variant) from start to acknowledged output:
 * <ol>
 * <li>the {@link PublicationGuard} decides; a refusal is recorded (and dead-lettered when it breaks the
 * invariant) and nothing is copied;</li>
 * <li>otherwise the target regions are selected, regions already done for this source AMI (known from
 * the compacted topic) are skipped, and the rest are replicated, each result written as it comes;</li>
 * <li>then, if every variant of the image is done, the image aggregate is written.</li>
 * </ol>
 */
@ApplicationScoped
public class ReplicationJob {

    private static final Logger LOG = Logger.getLogger(ReplicationJob.class);

    @Inject
    ReplicationEngine engine;
    @Inject
    AwsClients aws;
    @Inject
    PublishedStore store;
    @Inject
    Outbox outbox;
    @Inject
    ReplicatorMetrics metrics;

    private final Clock clock = Clock.systemUTC();

    /**
     * One job per source AMI at a time: Kafka hands this process a record again while its first delivery is still
     * in work (a rebalance resets the partition to its last commit), and two jobs copying the same AMI at once
     * raced each other's CopyImage (IdempotentParameterMismatch). The second waits, then finds the regions done.
     */
    private final KeyedTurns sourceAmis = new KeyedTurns();

    /** @param stage the job's span: every record it writes names it */
    public Uni<Void> run(AmiTested tested, DeadLetters.Input input, StageSpan stage) {
        String source = tested.ami() == null ? null : tested.ami().amiId();
        return source == null ? runAlone(tested, input, stage)
                : sourceAmis.run(source, () -> runAlone(tested, input, stage));
    }

    private Uni<Void> runAlone(AmiTested tested, DeadLetters.Input input, StageSpan stage) {
        return store.whenLoaded().chain(() -> {
            PublicationGuard.Decision decision = PublicationGuard.evaluate(tested);
            if (decision instanceof Permit permit) {
                return plan(tested).flatMap(plan -> replicate(tested, permit, plan, stage)
                        .chain(() -> aggregate(tested, plan, stage)));
            }
            // Record the refusal first: it must not depend on AWS being reachable.
            return reject(tested, input, (Refusal) decision, stage).chain(() -> plan(tested))
                    .flatMap(plan -> aggregate(tested, plan, stage));
        });
    }

    /** The target regions of the compose's stream (docs/lifecycle.md, "Per-stream settings"). */
    private Uni<Plan> plan(AmiTested tested) {
        String base = aws.baseRegion();
        String type = tested.image() == null ? null : tested.image().composeType();
        String release = tested.image() == null ? null : tested.image().release();
        List<String> allow = engine.settings().publication(type, release).allow(engine.settings().allow());
        return RegionDirectory.accountRegions(aws.ec2(base))
                .map(regions -> RegionSelection.select(regions, base, allow, engine.settings().deny()))
                .onFailure().transform(t -> new JobFailure(DeadLetterReason.CONFIGURATION_ERROR,
                        "DescribeRegions in " + base + " failed, so the target regions are unknown: " + t.getMessage(), t));
    }

    private Uni<Void> replicate(AmiTested tested, Permit permit, Plan plan, StageSpan stage) {
        Map<String, AmiPublished> mine = new LinkedHashMap<>();
        for (AmiPublished p : store.records(tested.imageKey())) {
            if (p.sourceAmi() != null && p.sourceAmi().variant() != null
                    && permit.variant().equals(p.sourceAmi().variant().slug()) && permit.sourceAmiId().equals(p.sourceAmi().amiId())) {
                mine.put(p.region(), p);
            }
        }
        List<String> todo = new ArrayList<>();
        for (String region : plan.targets()) {
            AmiPublished known = mine.get(region);
            if (known == null || known.outcome() == RegionOutcome.FAILED) {
                todo.add(region);
            }
        }
        Instant now = clock.instant();
        List<RegionDone> refusals = plan.refused().entrySet().stream()
                .filter(e -> !sameFailure(mine.get(e.getKey()), e.getValue()))
                .map(e -> refusedRegion(tested, e.getKey(), e.getValue(), now))
                .toList();
        LOG.infof("%s %s from %s: %d target regions, %d already done, %d to replicate, %d refused", tested.imageKey(),
                permit.variant(), permit.sourceAmiId(), plan.targets().size(), plan.targets().size() - todo.size(),
                todo.size(), plan.refused().size());
        metrics.job(todo.isEmpty() ? "resumed-complete" : "replicated");
        return Multi.createFrom().iterable(refusals).onItem().transformToUniAndConcatenate(done -> outbox.region(done, stage))
                .collect().last()
                .chain(() -> todo.isEmpty() ? Uni.createFrom().voidItem()
                        : engine.replicate(tested, permit, todo, done -> outbox.region(done, stage),
                                demoted -> outbox.status(demoted, stage)).replaceWithVoid());
    }

    private Uni<Void> reject(AmiTested tested, DeadLetters.Input input, Refusal refusal, StageSpan stage) {
        String base = aws.baseRegion();
        metrics.job("rejected");
        LOG.infof("not replicating %s %s: %s", tested.imageKey(),
                tested.ami() == null || tested.ami().variant() == null ? "?" : tested.ami().variant().slug(), refusal.reason());
        if (tested.ami() == null || tested.ami().variant() == null || tested.ami().amiId() == null) {
            return Uni.createFrom().failure(new JobFailure(DeadLetterReason.INVARIANT_VIOLATION, refusal.reason(), null));
        }
        AmiPublished record = ReplicationEvents.rejected(tested, base, refusal.reason(), clock.instant());
        boolean known = store.record(record.kafkaKey()).map(p -> p.eventId().equals(record.eventId())).orElse(false);
        Uni<Void> write = known ? Uni.createFrom().voidItem()
                : outbox.region(new RegionDone(record, List.of(ReplicationEvents.status(tested, Stage.PUBLISH, StageState.FAILED,
                        base, tested.ami().amiId(), record.reason(), record.time()))), stage);
        if (refusal.invariantViolation()) {
            write = write.chain(() -> outbox.deadLetter(deadLetter(tested, input, DeadLetterReason.INVARIANT_VIOLATION,
                    refusal.reason()), stage));
        }
        return write;
    }

    /** Writes the image aggregate when every variant is done; never before its per-region records are acked. */
    private Uni<Void> aggregate(AmiTested tested, Plan plan, StageSpan stage) {
        if (tested.ami() == null || tested.ami().variant() == null) {
            return Uni.createFrom().voidItem();
        }
        int respin = tested.image() == null ? 0 : tested.image().respin();
        return SourceImages.variants(aws.ec2(aws.baseRegion()), tested.imageKey(), respin)
                .onFailure().transform(t -> new JobFailure(DeadLetterReason.CONFIGURATION_ERROR,
                        "listing the variants of " + tested.imageKey() + " in " + aws.baseRegion() + " failed: " + t.getMessage(), t))
                .flatMap(found -> {
                    Map<String, ExpectedVariant> expected = new LinkedHashMap<>();
                    found.forEach(v -> expected.put(v.slug(), v));
                    // The event's own variant always counts, even if its AMI is gone from the base region.
                    expected.put(tested.ami().variant().slug(),
                            new ExpectedVariant(tested.ami().variant().slug(), tested.ami().amiId()));
                    ImageRef ref = new ImageRef(tested.imageKey(), tested.composeId(), tested.traceId(), tested.image());
                    var aggregate = ImageAggregator.aggregate(ref, expected.values(), plan.allRegions(),
                            store.records(tested.imageKey()));
                    if (aggregate.isEmpty()) {
                        LOG.infof("%s: %s done; waiting for the other variants (%s)", tested.imageKey(),
                                tested.ami().variant().slug(), expected.keySet());
                        return Uni.createFrom().voidItem();
                    }
                    ImagePublished image = aggregate.get();
                    if (!store.claimAggregate(image.imageKey(), image.eventId())) {
                        return Uni.createFrom().voidItem();
                    }
                    LOG.infof("%s: %s (%s)", image.imageKey(), image.outcome(), image.reason() == null ? "all regions" : image.reason());
                    return outbox.image(image, stage)
                            .invoke(() -> metrics.image(image.outcome()))
                            .onFailure().invoke(t -> store.releaseAggregate(image.imageKey(), image.eventId()));
                });
    }

    private boolean sameFailure(AmiPublished known, String reason) {
        return known != null && known.outcome() == RegionOutcome.FAILED && reason.equals(known.reason());
    }

    private RegionDone refusedRegion(AmiTested tested, String region, String reason, Instant now) {
        return new RegionDone(ReplicationEvents.failed(tested, region, null, reason, now), List.of(
                ReplicationEvents.status(tested, Stage.COPY, StageState.FAILED, region, null, reason, now)));
    }

    public static DeadLetter deadLetter(AmiTested tested, DeadLetters.Input input, DeadLetterReason code, String reason) {
        return DeadLetters.of(ReplicationEvents.SERVICE, input).about(tested).refused(code, reason);
    }

    /** The job cannot go on for this input; it is dead-lettered with this code. */
    public static final class JobFailure extends RuntimeException {
        private final DeadLetterReason code;

        public JobFailure(DeadLetterReason code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        public DeadLetterReason code() {
            return code;
        }
    }
}
