package org.fedoraproject.fedimg.lifecycle.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleEvents;
import org.fedoraproject.fedimg.lifecycle.job.aws.DeregisterAmi;
import org.fedoraproject.fedimg.lifecycle.job.aws.DisableAmi;
import org.fedoraproject.fedimg.lifecycle.aws.MakePrivate;
import org.fedoraproject.fedimg.lifecycle.aws.ManagedAmis;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction;
import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;
import org.fedoraproject.fedimg.lifecycle.domain.Retention;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/**
 * One run of the lifecycle job: per region, read fedimg's published AMIs, plan with {@link Retention#plan}, and
 * (with apply) carry out at most {@code maxActionsPerRegion} steps, oldest AMI first.
 *
 * <p>Safe to kill anywhere: every step is idempotent and the next run plans again from what EC2 shows. Each step
 * is announced before it is made, with an id derived from the AMI, region and step, so a kill between the two
 * means the next run announces it again with the same id (receivers see one message) and then makes it: no step
 * happens unannounced. Deregistration deletes the snapshots in the same call, so nothing is left orphaned.
 */
public final class Lifecycle {

    public static final String SERVICE = "lifecycle";

    public record Options(List<String> regions, boolean apply, int maxActionsPerRegion, int parallelRegions, Instant now,
            Duration regionTimeout) {
    }

    /** One planned step: done, deferred (over the per-region bound, or a dry run) or failed with the error. */
    public record Outcome(LifecycleAction action, String result, String error) {
    }

    public record RegionReport(String region, int amis, List<Outcome> outcomes, String error) {
    }

    private final AwsClients aws;
    private final Streams streams;
    private final Consumer<StageStatus> announce;

    /** @param announce writes a status event durably (Kafka, acks=all) or throws */
    public Lifecycle(AwsClients aws, Streams streams, Consumer<StageStatus> announce) {
        this.aws = aws;
        this.streams = streams;
        this.announce = announce;
    }

    public List<RegionReport> run(Options o) {
        return Multi.createFrom().iterable(o.regions())
                .onItem().transformToUni(r -> region(r, o).ifNoItem().after(o.regionTimeout())
                        .recoverWithItem(() -> new RegionReport(r, 0, List.of(), "no answer within " + o.regionTimeout()))
                        .onFailure().recoverWithItem(t -> new RegionReport(r, 0, List.of(), AwsErrors.message(t))))
                .merge(o.parallelRegions())
                .collect().asList()
                .map(l -> l.stream().sorted(java.util.Comparator.comparing(RegionReport::region)).toList())
                .await().indefinitely();
    }

    private Uni<RegionReport> region(String region, Options o) {
        Ec2AsyncClient ec2 = aws.ec2(region);
        return ManagedAmis.published(ec2, region).flatMap(amis -> {
            List<LifecycleAction> plan = Retention.plan(amis, streams, o.now());
            List<LifecycleAction> now = o.apply() ? plan.subList(0, Math.min(plan.size(), o.maxActionsPerRegion())) : List.of();
            List<Outcome> outcomes = new ArrayList<>();
            java.util.Set<String> failed = new java.util.HashSet<>();
            // One step after the other (bounded calls per region); a failed step skips that AMI's later steps.
            return Multi.createFrom().iterable(now)
                    .onItem().transformToUniAndConcatenate(a -> failed.contains(a.ami().amiId())
                            ? Uni.createFrom().item(new Outcome(a, "skipped", "an earlier step failed"))
                            : step(ec2, a, o.now())
                                    .map(x -> new Outcome(a, a.kind().done(), null))
                                    .onFailure().recoverWithItem(t -> {
                                        failed.add(a.ami().amiId());
                                        return new Outcome(a, "failed", AwsErrors.message(t));
                                    }))
                    .collect().asList()
                    .map(done -> {
                        outcomes.addAll(done);
                        for (LifecycleAction a : plan.subList(now.size(), plan.size())) {
                            outcomes.add(new Outcome(a, o.apply() ? "deferred" : "planned", null));
                        }
                        return new RegionReport(region, amis.size(), outcomes, null);
                    });
        });
    }

    private Uni<Void> step(Ec2AsyncClient ec2, LifecycleAction a, Instant now) {
        ManagedAmi ami = a.ami();
        return Uni.createFrom().item(() -> {
            announce.accept(LifecycleEvents.done(a, SERVICE, now));
            return a;
        }).flatMap(x -> switch (a.kind()) {
            case MAKE_PRIVATE -> MakePrivate.apply(ec2, ami);
            case DISABLE -> DisableAmi.apply(ec2, ami.amiId());
            case DEREGISTER -> DeregisterAmi.apply(ec2, ami.amiId());
        });
    }
}
