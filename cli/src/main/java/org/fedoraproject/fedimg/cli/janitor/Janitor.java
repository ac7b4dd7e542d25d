package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsErrors;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * One run: read Kafka (optional) and every region, decide, and with {@code delete} carry the plan out,
 * region by region with bounded concurrency. Nothing is deleted unless every region and Kafka could be
 * read, because whether an image is in flight is decided across all of them.
 */
public final class Janitor {

    /**
     * @param regions         empty: every region enabled for the account
     * @param stuckAfter      a step STARTED on Kafka and never ended counts as in flight for this long
     * @param parallelRegions regions read and cleaned at the same time
     */
    public record Options(List<String> regions, Duration grace, Duration stuckAfter, boolean delete,
            int parallelRegions, Instant now) {
    }

    private static final int VISIBILITY_ROUNDS = 4;

    private final Ec2Inventory inventory;
    private final Optional<Supplier<PipelineState>> kafka;
    private final Ec2Deleter deleter;

    public Janitor(Ec2Inventory inventory, Optional<Supplier<PipelineState>> kafka, Ec2Deleter deleter) {
        this.inventory = inventory;
        this.kafka = kafka;
        this.deleter = deleter;
    }

    public Report run(Options o) {
        Map<String, String> errors = new TreeMap<>();
        PipelineState pipeline = PipelineState.notConsulted();
        if (kafka.isPresent()) {
            try {
                pipeline = kafka.get().get();
            } catch (RuntimeException e) {
                errors.put("kafka", AwsErrors.describe(e));
            }
        }
        List<String> regions = o.regions();
        if (regions.isEmpty()) {
            try {
                regions = inventory.enabledRegions().join();
            } catch (RuntimeException e) {
                errors.put("regions", "DescribeRegions failed: " + AwsErrors.describe(e));
                regions = List.of();
            }
        }
        List<Resource> resources = new ArrayList<>();
        for (RegionRead r : readRegions(regions, o.parallelRegions())) {
            r.error().ifPresentOrElse(e -> errors.put(r.region(), e), () -> resources.addAll(r.resources()));
        }

        LeakRules rules = new LeakRules(o.now(), o.grace(), o.stuckAfter(), pipeline);
        Plan plan = rules.decide(resources);
        Set<String> checked = new HashSet<>();
        for (int round = 0; round < VISIBILITY_ROUNDS; round++) {
            List<Resource> toCheck = plan.visibilityToCheck().stream()
                    .filter(r -> checked.add(r.region() + "/" + r.id())).toList();
            if (toCheck.isEmpty()) {
                break;
            }
            List<CompletableFuture<Resource>> reads = toCheck.stream().map(inventory::withVisibility).toList();
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).join();
            Map<String, Resource> resolved = new HashMap<>();
            for (CompletableFuture<Resource> read : reads) {
                Resource r = read.join();
                resolved.put(r.region() + "/" + r.id(), r);
            }
            resources.replaceAll(r -> r.type() == ResourceType.AMI || r.type() == ResourceType.SNAPSHOT
                    ? resolved.getOrDefault(r.region() + "/" + r.id(), r) : r);
            plan = rules.decide(resources);
        }

        List<Outcome> outcomes = new ArrayList<>();
        if (o.delete() && errors.isEmpty()) {
            outcomes.addAll(execute(plan, o.parallelRegions()));
        }
        return new Report(o.now(), o.grace(), o.delete(), pipeline.isConsulted(), List.copyOf(regions), plan,
                outcomes, errors);
    }

    private record RegionRead(String region, List<Resource> resources, Optional<String> error) {
    }

    private List<RegionRead> readRegions(List<String> regions, int parallel) {
        return Multi.createFrom().iterable(regions)
                .onItem().transformToUni(region -> Uni.createFrom().completionStage(() -> inventory.region(region))
                        .map(list -> new RegionRead(region, list, Optional.empty()))
                        .onFailure().recoverWithItem(t -> new RegionRead(region, List.of(),
                                Optional.of("inventory failed: " + AwsErrors.describe(t)))))
                .merge(Math.max(1, parallel))
                .collect().asList()
                .await().indefinitely();
    }

    private List<Outcome> execute(Plan plan, int parallel) {
        Map<String, List<Finding>> byRegion = plan.actionable().stream()
                .collect(Collectors.groupingBy(f -> f.resource().region(), LinkedHashMap::new, Collectors.toList()));
        if (byRegion.isEmpty()) {
            return List.of();
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, Math.min(parallel, byRegion.size())), r -> {
            Thread t = new Thread(r, "janitor-delete");
            t.setDaemon(true);
            return t;
        });
        try {
            return Multi.createFrom().iterable(byRegion.entrySet())
                    .onItem().transformToUni(e -> Uni.createFrom().item(() -> deleter.execute(e.getKey(), e.getValue()))
                            .runSubscriptionOn(workers))
                    .merge(Math.max(1, parallel))
                    .collect().in(ArrayList<Outcome>::new, List::addAll)
                    .await().indefinitely();
        } finally {
            workers.shutdownNow();
        }
    }
}
