package org.fedoraproject.fedimg.tester.job;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.tester.aws.AmiLookup;
import org.fedoraproject.fedimg.tester.aws.ResultTags;
import org.fedoraproject.fedimg.tester.aws.TestResources;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.AmiFacts;
import org.fedoraproject.fedimg.tester.domain.SiblingSelection;
import org.fedoraproject.fedimg.tester.domain.SiblingSelection.Choice;
import org.fedoraproject.fedimg.tester.domain.TestInstanceTypes;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.metrics.TesterMetrics;
import org.fedoraproject.fedimg.tester.metrics.TesterMetrics.Source;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * One registered AMI, start to end: check the input, decide what to boot (itself, its representative,
 * or nothing because a verdict exists), test, record the verdict on the AMIs, publish, clean up.
 * Recording comes before publishing and cleanup comes last, so a crash anywhere leaves either a
 * verdict to re-emit or an instance to resume, and tagged leftovers to remove.
 */
@ApplicationScoped
public class TestJob {

    private static final Logger LOG = Logger.getLogger(TestJob.class);

    private final TesterConfig config;
    private final AmiLookup lookup;
    private final InstanceTest instanceTest;
    private final ResultTags resultTags;
    private final TestResources resources;
    private final RegionLimiter limiter;
    private final ActiveJobs active;
    private final TesterMetrics metrics;

    TestJob(TesterConfig config, AmiLookup lookup, InstanceTest instanceTest, ResultTags resultTags,
            TestResources resources, RegionLimiter limiter, ActiveJobs active, TesterMetrics metrics) {
        this.config = config;
        this.lookup = lookup;
        this.instanceTest = instanceTest;
        this.resultTags = resultTags;
        this.resources = resources;
        this.limiter = limiter;
        this.active = active;
        this.metrics = metrics;
    }

    /** Fails with {@link BadInputException} for input that must go to the dead-letter topic. */
    public Uni<TestOutcome> handle(AmiRegistered event, Publisher publisher) {
        validate(event);
        String region = event.ami().region();
        String amiId = event.ami().amiId();
        return active.exclusive(amiId, () -> lookup.require(region, amiId)
                .chain(self -> choose(event, self))
                .chain(choice -> run(event, choice, publisher)));
    }

    private Uni<Choice> choose(AmiRegistered event, AmiFacts self) {
        if (config.selection() == TesterConfig.Selection.ALL) {
            return Uni.createFrom().item(self.verdict().isPresent()
                    ? new Choice(SiblingSelection.Action.REUSE_OWN, self, "verdict already recorded")
                    : new Choice(SiblingSelection.Action.TEST, self, "every AMI is tested"));
        }
        return lookup.siblings(event).map(siblings -> SiblingSelection.choose(self, siblings,
                config.preferredVolumeTypes()));
    }

    private Uni<TestOutcome> run(AmiRegistered event, Choice choice, Publisher publisher) {
        String region = event.ami().region();
        String self = event.ami().amiId();
        String target = choice.target().amiId();
        LOG.infof("%s in %s: %s (%s)", self, region, choice.action(), choice.why());
        return switch (choice.action()) {
            case REUSE_OWN -> instanceTest.withEvidence(region, choice.target().verdict().orElseThrow())
                    .invoke(o -> metrics.verdict(region, o, Source.RECORDED))
                    .call(o -> publishAndClean(event, o, publisher, target));
            case APPLY_SIBLING -> {
                TestOutcome applied = applied(choice.target(), choice.target().verdict().orElseThrow());
                yield resultTags.recordVerdict(region, List.of(self), applied).replaceWith(applied)
                        .invoke(o -> metrics.verdict(region, o, Source.SIBLING))
                        .call(o -> publishAndClean(event, o, publisher, target));
            }
            // the slot is held until the instance is terminated, so the limit counts instances, not scripts
            case TEST -> limiter.withSlot(region, () -> instanceTest.test(event, choice.target(),
                    attempt -> publisher.started(event, target, attempt))
                    .invoke(o -> metrics.verdict(region, o, Source.BOOTED))
                    .chain(o -> firstVerdict(region, target, o))
                    .map(o -> target.equals(self) ? o : applied(choice.target(), o))
                    .call(o -> target.equals(self) ? Uni.createFrom().voidItem()
                            : resultTags.recordVerdict(region, List.of(self), o))
                    .call(o -> publishAndClean(event, o, publisher, target)));
        };
    }

    private Uni<Void> publishAndClean(AmiRegistered event, TestOutcome o, Publisher publisher, String target) {
        return publisher.verdict(event, o).chain(() -> cleanup(event.ami().region(), o, event.ami().amiId(), target));
    }

    /**
     * Records the verdict unless another tester recorded one for the AMI meanwhile (after a rebalance both may have
     * watched the same instance): the first recorded stands, so every delivery publishes the same verdict.
     */
    private Uni<TestOutcome> firstVerdict(String region, String amiId, TestOutcome o) {
        return lookup.require(region, amiId).chain(facts -> facts.verdict()
                .map(recorded -> {
                    boolean same = recorded.verdict() == o.verdict() && recorded.attempt() == o.attempt();
                    if (!same) {
                        LOG.infof("%s in %s: attempt %d of another tester recorded a verdict meanwhile; it stands "
                                + "over this one's attempt %d", amiId, region, recorded.attempt(), o.attempt());
                    }
                    // ours carries the output and console the tags cannot
                    return Uni.createFrom().item(same ? o : recorded);
                })
                .orElseGet(() -> resultTags.recordVerdict(region, List.of(amiId), o).replaceWith(o)));
    }

    /** The verdict as it applies to a sibling: same result, the reason says whose boot it was. */
    private static TestOutcome applied(AmiFacts tested, TestOutcome o) {
        String prefix = "verdict of " + tested.amiId() + " (" + tested.volumeType() + "): ";
        String reason = o.reason() != null && o.reason().startsWith("verdict of ") ? o.reason() : prefix + o.reason();
        return new TestOutcome(o.verdict(), o.failure(), o.exitCode(), o.durationMillis(), o.output(), o.console(),
                reason, o.testedAmiId(), o.attempt());
    }

    /** Best effort: what is left is found by tag by the sweep. */
    private Uni<Void> cleanup(String region, TestOutcome o, String self, String target) {
        Duration patience = config.timeouts().running();
        Uni<Void> all = resources.removeAllFor(region, target, patience);
        if (!target.equals(self)) {
            all = all.chain(() -> resources.removeAllFor(region, self, patience));
        }
        return all.invoke(() -> instanceTest.forget(o.testedAmiId(), o.attempt()))
                .onFailure().recoverWithUni(t -> {
                    LOG.warnf(t, "cleanup after testing %s in %s incomplete; the sweep will finish it", target, region);
                    return Uni.createFrom().voidItem();
                });
    }

    private void validate(AmiRegistered e) {
        if (e.imageKey() == null || e.imageKey().isBlank() || e.eventId() == null || e.image() == null
                || e.ami() == null) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                    "AmiRegistered without eventId, imageKey, image or ami");
        }
        if (e.ami().amiId() == null || !e.ami().amiId().startsWith("ami-") || e.ami().region() == null
                || e.ami().region().isBlank() || e.ami().variant() == null) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                    "AmiRegistered without a valid ami.amiId, ami.region or ami.variant");
        }
        if (!e.ami().checksumVerified()) {
            throw new BadInputException(DeadLetterReason.INVARIANT_VIOLATION,
                    "AMI " + e.ami().amiId() + " was registered from an image whose checksum was not verified");
        }
        String arch = e.ami().ec2Architecture() != null ? e.ami().ec2Architecture() : e.image().ec2Architecture();
        String virt = e.ami().variant().virtualizationType();
        boolean instanceStore = e.ami().variant().instanceStore();
        TestInstanceTypes types = new TestInstanceTypes(config.instanceTypes(), config.paravirtualInstanceType(),
                config.instanceStoreInstanceType());
        if (types.choose(arch, virt, instanceStore).isEmpty()) {
            throw new BadInputException(DeadLetterReason.CONFIGURATION_ERROR,
                    "no test instance type for " + arch + "/" + virt + (instanceStore ? "/instance-store" : "") + " ("
                            + TestInstanceTypes.keyFor(virt, instanceStore) + ")");
        }
    }
}
