package org.fedoraproject.fedimg.tester.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.tester.aws.AmiLookup;
import org.fedoraproject.fedimg.tester.aws.TestResources;
import org.fedoraproject.fedimg.tester.aws.TestResources.Resource;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.AmiFacts;
import org.fedoraproject.fedimg.tester.domain.LeftoverRules;
import org.fedoraproject.fedimg.tester.metrics.TesterMetrics;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Finds the tester's tagged resources that no job will come back for (a crash after the verdict was
 * recorded, a superseded attempt, anything past its deadline, an AMI deregistered meanwhile) and
 * removes them; shortly after start and then periodically. Resources of a job a redelivered event may
 * still resume are left to that job.
 */
@ApplicationScoped
public class LeftoverSweeper {

    private static final Logger LOG = Logger.getLogger(LeftoverSweeper.class);

    private final TesterConfig config;
    private final AwsClients aws;
    private final TestResources resources;
    private final AmiLookup lookup;
    private final ActiveJobs active;
    private final TesterMetrics metrics;
    private volatile Cancellable ticks;

    LeftoverSweeper(TesterConfig config, AwsClients aws, TestResources resources, AmiLookup lookup, ActiveJobs active,
            TesterMetrics metrics) {
        this.config = config;
        this.aws = aws;
        this.resources = resources;
        this.lookup = lookup;
        this.active = active;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ev) {
        if (!config.sweep().enabled()) {
            return;
        }
        ticks = Multi.createFrom().ticks().startingAfter(config.sweep().initialDelay()).every(config.sweep().interval())
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(t -> sweepAll().onFailure().recoverWithItem(e -> {
                    LOG.warnf(e, "leftover sweep failed; next in %s", config.sweep().interval());
                    return 0;
                }))
                .subscribe().with(n -> {
                    if (n > 0) {
                        LOG.infof("leftover sweep removed %d resources", n);
                    }
                });
    }

    void stop(@Observes ShutdownEvent ev) {
        if (ticks != null) {
            ticks.cancel();
        }
    }

    /** @return how many resources were removed */
    public Uni<Integer> sweepAll() {
        List<String> regions = config.sweep().regions().filter(r -> !r.isEmpty()).orElse(List.of(aws.baseRegion()));
        return Multi.createFrom().iterable(regions).onItem().transformToUniAndConcatenate(this::sweep)
                .collect().asList().map(l -> l.stream().mapToInt(Integer::intValue).sum());
    }

    public Uni<Integer> sweep(String region) {
        return resources.find(region, null).chain(found -> {
            Map<String, List<Resource>> byAmi = found.stream().filter(r -> r.amiId() != null)
                    .collect(Collectors.groupingBy(Resource::amiId));
            return Multi.createFrom().iterable(byAmi.entrySet())
                    .onItem().transformToUniAndConcatenate(e -> lookup.find(region, e.getKey()).chain(ami -> {
                        List<Resource> gone = e.getValue().stream()
                                .filter(r -> removable(r, Optional.ofNullable(ami)))
                                .toList();
                        if (gone.isEmpty()) {
                            return Uni.createFrom().item(0);
                        }
                        return resources.remove(region, gone, config.timeouts().running())
                                .invoke(() -> gone.forEach(r -> metrics.leftoverRemoved(region, r.kind().name().toLowerCase())))
                                .replaceWith(gone.size());
                    }))
                    .collect().asList().map(l -> l.stream().mapToInt(Integer::intValue).sum());
        });
    }

    private boolean removable(Resource r, Optional<AmiFacts> ami) {
        Optional<String> why = LeftoverRules.removable(r.tags(), ami, active.isActive(r.amiId()), Instant.now());
        why.ifPresent(w -> LOG.infof("removing leftover %s %s (test of %s): %s", r.kind(), r.name(), r.amiId(), w));
        return why.isPresent();
    }
}
