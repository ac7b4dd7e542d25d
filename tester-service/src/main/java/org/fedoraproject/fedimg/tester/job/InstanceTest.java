package org.fedoraproject.fedimg.tester.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.tester.aws.AmiLookup;
import org.fedoraproject.fedimg.tester.aws.ConsoleReader;
import org.fedoraproject.fedimg.tester.aws.InstanceWaits;
import org.fedoraproject.fedimg.tester.aws.ResultTags;
import org.fedoraproject.fedimg.tester.aws.TestInstanceLauncher;
import org.fedoraproject.fedimg.tester.aws.TestResources;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.AmiFacts;
import org.fedoraproject.fedimg.tester.domain.ConsoleMarkers;
import org.fedoraproject.fedimg.tester.domain.FailureKind;
import org.fedoraproject.fedimg.tester.domain.TestAttempts;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.domain.TestTags;
import org.fedoraproject.fedimg.tester.domain.VerdictRules;
import org.fedoraproject.fedimg.tester.domain.VerdictRules.TestFailure;
import org.fedoraproject.fedimg.tester.metrics.TesterMetrics;
import org.fedoraproject.fedimg.tester.transport.RunContext;
import org.fedoraproject.fedimg.tester.transport.ScriptTransport;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Boots one AMI and runs the script on it: resume the current attempt's instance when this process can,
 * otherwise start the next attempt (tag, launch, wait running, wait status ok, run). Every way a test
 * can go wrong ends as a FAILED {@link TestOutcome} with evidence; only AWS errors that are nobody's
 * verdict (the API unreachable after the SDK's retries) fail the Uni.
 */
@ApplicationScoped
public class InstanceTest {

    private static final Logger LOG = Logger.getLogger(InstanceTest.class);

    private final TesterConfig config;
    private final TestResources resources;
    private final ResultTags resultTags;
    private final TestInstanceLauncher launcher;
    private final InstanceWaits waiters;
    private final ConsoleReader console;
    private final ScriptTransport transport;
    private final TesterMetrics metrics;
    private final RegionLimiter limiter;
    private final AmiLookup lookup;

    InstanceTest(TesterConfig config, TestResources resources, ResultTags resultTags, TestInstanceLauncher launcher,
            InstanceWaits waiters, ConsoleReader console, @TransportChoice.Selected ScriptTransport transport,
            TesterMetrics metrics, RegionLimiter limiter, AmiLookup lookup) {
        this.config = config;
        this.resources = resources;
        this.resultTags = resultTags;
        this.launcher = launcher;
        this.waiters = waiters;
        this.console = console;
        this.transport = transport;
        this.metrics = metrics;
        this.limiter = limiter;
        this.lookup = lookup;
    }

    /** @param started called with the attempt when a test instance is launched or taken over */
    public Uni<TestOutcome> test(AmiRegistered event, AmiFacts target, IntFunction<Uni<Void>> started) {
        String region = event.ami().region();
        int current = TestAttempts.current(target.tags());
        // the attempt under way, for the verdict if the job deadline cuts it short; the start is announced once per
        // job, not again for an attempt that replaces one of the same job (a launch that gave way, a mismatch)
        AtomicInteger underWay = new AtomicInteger(Math.max(current, 1));
        AtomicBoolean announced = new AtomicBoolean();
        IntFunction<Uni<Void>> tracked = attempt -> {
            underWay.set(attempt);
            return announced.compareAndSet(false, true) ? started.apply(attempt) : Uni.createFrom().voidItem();
        };
        Uni<Optional<Instance>> live = current == 0 ? Uni.createFrom().item(Optional.empty())
                : liveInstance(region, target.amiId(), current);
        return live.chain(found -> {
            RunContext ctx = context(event, target, current);
            if (found.isPresent()) {
                if (resumable(ctx, found.get())) {
                    LOG.infof("resuming test of %s: attempt %d on %s", target.amiId(), current,
                            found.get().instanceId());
                    return tracked.apply(current).chain(() -> proceedOrNext(ctx, found.get(),
                            () -> fresh(event, target, current + 1, tracked, 0)));
                }
                return fresh(event, target, current + 1, tracked, 0);
            }
            // nothing alive of the current attempt: another tester may be launching it right now, or a crash came
            // between marking and launching; its launch is sent again, and only a gone instance moves the attempt on
            return fresh(event, target, current > 0 && transport.canResume(ctx) ? current : current + 1, tracked, 0);
        }).ifNoItem().after(config.timeouts().job()).recoverWithItem(() -> VerdictRules.failed(
                new TestFailure(FailureKind.SCRIPT_TIMEOUT, "test job exceeded its deadline of "
                        + config.timeouts().job(), null, null, null),
                config.timeouts().job().toMillis(), target.amiId(), underWay.get()))
                .onFailure(Replaced.class).recoverWithUni(t -> awaitReplacingVerdict((Replaced) t));
    }

    /**
     * Launches (or re-sends the launch of) an attempt, unless a verdict was recorded meanwhile: another tester that
     * had the same AMI before a rebalance may have finished it, and a further boot would only race its verdict.
     */
    private Uni<TestOutcome> fresh(AmiRegistered event, AmiFacts target, int attempt, IntFunction<Uni<Void>> started,
            int mismatches) {
        return lookup.find(event.ami().region(), target.amiId()).chain(now -> {
            Optional<TestOutcome> recorded = now == null ? Optional.empty() : now.verdict();
            if (recorded.isPresent()) {
                LOG.infof("%s: a verdict was recorded meanwhile (attempt %d); no attempt %d", target.amiId(),
                        recorded.get().attempt(), attempt);
                return Uni.createFrom().item(recorded.get());
            }
            return launch(event, target, attempt, started, mismatches);
        });
    }

    private Uni<TestOutcome> launch(AmiRegistered event, AmiFacts target, int attempt, IntFunction<Uni<Void>> started,
            int mismatches) {
        RunContext ctx = context(event, target, attempt);
        Instant begin = Instant.now();
        return resultTags.markAttempt(ctx.region(), target.amiId(), attempt)
                .chain(() -> started.apply(attempt))
                .chain(() -> transport.prepare(ctx))
                .call(() -> supersedeEarlier(ctx))
                .call(() -> limiter.awaitRoom(ctx.region(), target.amiId()))
                .chain(prep -> launcher.launch(new TestInstanceLauncher.Launch(ctx.region(), target.amiId(),
                        ctx.architecture(), virtualizationType(event, target), target.instanceStore(), attempt, prep.userData(), prep.keyName(), prep.extraSecurityGroups(),
                        instanceTags(ctx))))
                .onItemOrFailure().transformToUni((instance, t) -> {
                    if (t == null && (instance == null || !alive(instance))) {
                        LOG.infof("attempt %d of %s: its instance is gone (%s); starting attempt %d", attempt,
                                target.amiId(), instance == null ? "no longer listed"
                                        : instance.instanceId() + " " + instance.state().nameAsString(), attempt + 1);
                        return fresh(event, target, attempt + 1, started, mismatches);
                    }
                    if (t == null) {
                        return limiter.mayProceed(ctx.region(), target.amiId(), instance.instanceId(), instance.launchTime())
                                .chain(within -> within ? proceedOrNext(ctx, instance,
                                        () -> fresh(event, target, attempt + 1, started, mismatches))
                                        : giveWay(ctx, instance).chain(() -> fresh(event, target, attempt + 1, started,
                                                mismatches)));
                    }
                    if (AwsErrors.hasCode(t, "IdempotentParameterMismatch") && mismatches < 2) {
                        return launcher.launchedBy(ctx.region(), target.amiId(), attempt).chain(other -> {
                            if (other.isPresent() && alive(other.get()) && resumable(ctx, other.get())) {
                                LOG.infof("attempt %d of %s was launched by another tester as %s; joining it",
                                        attempt, target.amiId(), other.get().instanceId());
                                return proceedOrNext(ctx, other.get(),
                                        () -> fresh(event, target, attempt + 1, started, mismatches));
                            }
                            LOG.warnf("attempt %d of %s was launched with other parameters (config changed); "
                                    + "starting attempt %d", attempt, target.amiId(), attempt + 1);
                            return fresh(event, target, attempt + 1, started, mismatches + 1);
                        });
                    }
                    if (AwsErrors.unwrap(t) instanceof AwsServiceException e && !e.isThrottlingException()
                            && e.statusCode() < 500) {
                        return Uni.createFrom().item(VerdictRules.failed(new TestFailure(FailureKind.LAUNCH_FAILED,
                                "EC2 refused to launch the test instance: " + e.getMessage(), null, null, null),
                                Duration.between(begin, Instant.now()).toMillis(), target.amiId(), attempt));
                    }
                    return Uni.createFrom().failure(t);
                });
    }

    /**
     * Another tester launched at the same moment and both went past the region's limit; this launch is the later
     * one: terminate it (tagged why) before it tests anything, and start the next attempt once there is room.
     */
    private Uni<Void> giveWay(RunContext ctx, Instance instance) {
        LOG.infof("attempt %d of %s: %s was launched beyond the limit of %d test instances in %s together with "
                + "another tester's; it gives way and the test waits for room", ctx.attempt(), ctx.amiId(),
                instance.instanceId(), config.maxConcurrentPerRegion(), ctx.region());
        return resources.giveWay(ctx.region(), instance.instanceId(), "launched beyond the limit of "
                + config.maxConcurrentPerRegion() + " test instances per region at once with another tester's");
    }

    /**
     * Terminates what is still alive of this AMI's earlier attempts (tagged with the attempt that replaces them)
     * before this one waits for room: an ssh run whose private key died with its process, an instance launched with
     * other parameters. Left alive, each would run beside the new attempt uncounted, since the region's limit does
     * not count an AMI's own instances against itself, and a tester crashing repeatedly would pile them up.
     */
    private Uni<Void> supersedeEarlier(RunContext ctx) {
        return resources.find(ctx.region(), ctx.amiId()).chain(found -> {
            List<String> earlier = found.stream()
                    .filter(r -> r.kind() == TestResources.Kind.INSTANCE)
                    .filter(r -> "pending".equals(r.state()) || "running".equals(r.state()))
                    .filter(r -> TestAttempts.earlier(r.tags().get(TestTags.ATTEMPT), ctx.attempt()))
                    .map(TestResources.Resource::id)
                    .toList();
            if (earlier.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("attempt %d of %s replaces %s of an earlier attempt: terminating it first", ctx.attempt(),
                    ctx.amiId(), earlier);
            return Uni.join().all(earlier.stream().map(id -> resources.supersede(ctx.region(), id, ctx.attempt()))
                    .toList()).andFailFast().replaceWithVoid();
        });
    }

    /**
     * Another tester replaced the attempt this one was watching ({@link #supersedeEarlier}): it could not resume it,
     * say after a rebalance of an ssh run. Launching yet another attempt would replace that tester's in turn, so the
     * verdict is the replacing attempt's, and this tester waits for it to be recorded for as long as that attempt's
     * job may take. If none comes, its tester is gone too: no verdict here either, the record is redelivered.
     */
    private Uni<TestOutcome> awaitReplacingVerdict(Replaced replaced) {
        LOG.infof("%s; waiting for its verdict", replaced.getMessage());
        return Uni.createFrom().deferred(() -> lookup.find(replaced.region, replaced.amiId))
                .chain(now -> now == null || now.verdict().isEmpty() ? Uni.createFrom().failure(new NoVerdictYet())
                        : Uni.createFrom().item(now.verdict().get()))
                .onFailure(NoVerdictYet.class).retry().withBackOff(config.timeouts().pollInterval(),
                        config.timeouts().pollInterval().multipliedBy(5)).indefinitely()
                .ifNoItem().after(config.timeouts().job()).failWith(() -> new IllegalStateException(replaced.getMessage()
                        + ", which recorded no verdict within " + config.timeouts().job()));
    }

    /** This tester's attempt was replaced by another tester's later one: not a verdict, and no attempt of its own. */
    private static final class Replaced extends RuntimeException {
        final String region;
        final String amiId;

        Replaced(RunContext ctx, String by) {
            super("attempt " + ctx.attempt() + " of " + ctx.amiId() + " was replaced by attempt " + by
                    + " of another tester", null, false, false);
            this.region = ctx.region();
            this.amiId = ctx.amiId();
        }
    }

    private static final class NoVerdictYet extends RuntimeException {
        NoVerdictYet() {
            super("no verdict recorded yet", null, false, false);
        }
    }

    /**
     * {@link #proceed}, unless the instance gave way under it: the tester that launched it found it beyond the
     * region's limit and terminated it ({@link #giveWay}) while this one, which had the AMI after a rebalance, was
     * waiting for it. That is no verdict on the image (it once became a false FAILED that stood): the next attempt.
     * Or another tester replaced its attempt ({@link #supersedeEarlier}): that tester's verdict ({@link Replaced}).
     */
    private Uni<TestOutcome> proceedOrNext(RunContext ctx, Instance instance, Supplier<Uni<TestOutcome>> next) {
        return proceed(ctx, instance).onFailure(GaveWay.class).recoverWithUni(t -> {
            transport.forget(ctx.runId());
            if (((GaveWay) t).supersededBy != null) {
                return Uni.createFrom().failure(new Replaced(ctx, ((GaveWay) t).supersededBy));
            }
            LOG.infof("attempt %d of %s: %s gave way to another tester's test instance; attempt %d follows",
                    ctx.attempt(), ctx.amiId(), instance.instanceId(), ctx.attempt() + 1);
            return next.get();
        });
    }

    /**
     * The instance under test was terminated by a tester before its test ended, not by a failure of the image: it gave
     * way to another tester's at the region's limit, or a later attempt replaced it ({@code supersededBy}).
     */
    private static final class GaveWay extends RuntimeException {
        final String supersededBy;

        GaveWay(String instanceId, String supersededBy) {
            super(instanceId + (supersededBy == null ? " gave way" : " was replaced by attempt " + supersededBy), null,
                    false, false);
            this.supersededBy = supersededBy;
        }
    }

    /** Waits for running and status ok, runs the script, turns what happened into an outcome. */
    private Uni<TestOutcome> proceed(RunContext ctx, Instance launched) {
        String region = ctx.region();
        String id = launched.instanceId();
        Instant start = launched.launchTime() != null ? launched.launchTime() : Instant.now();
        Instant scriptCap = start.plus(config.timeouts().running()).plus(config.timeouts().statusOk())
                .plus(config.timeouts().script());
        metrics.instanceStarted();
        return waiters.running(region, id)
                .onFailure().recoverWithUni(t -> waiters.describe(region, id).chain(i -> Uni.createFrom().failure(
                        VerdictRules.notRunning(stateOf(i) + " after " + config.timeouts().running(), null))))
                .chain(() -> waiters.statusOk(region, id)
                        .onFailure().recoverWithUni(t -> waiters.lastStatus(region, id).chain(s -> Uni.createFrom()
                                .failure(VerdictRules.statusChecks(config.timeouts().statusOk(), s, null)))))
                .chain(() -> waiters.describe(region, id))
                .chain(instance -> {
                    Instant deadline = min(Instant.now().plus(config.timeouts().script()), scriptCap);
                    return transport.run(ctx, instance == null ? launched : instance, deadline);
                })
                .map(r -> VerdictRules.finished(r.exitCode(), millisSince(start), r.output(), r.console(),
                        ctx.amiId(), ctx.attempt()).withReason(r.reason()))
                .onFailure(TestFailure.class).recoverWithUni(t -> waiters.describe(region, id)
                        .onFailure().recoverWithNull()
                        .chain(now -> {
                            if (now != null && (tag(now, TestTags.GAVE_WAY) != null
                                    || tag(now, TestTags.SUPERSEDED_BY) != null)) {
                                return Uni.createFrom().failure(new GaveWay(id, tag(now, TestTags.SUPERSEDED_BY)));
                            }
                            TestFailure f = (TestFailure) t;
                            Uni<String> evidence = f.consoleExcerpt() != null ? Uni.createFrom().item(f.consoleExcerpt())
                                    : console.evidence(region, id);
                            return evidence.map(text -> VerdictRules.failed(f.withConsole(text), millisSince(start),
                                    ctx.amiId(), ctx.attempt()));
                        }))
                .eventually(metrics::instanceEnded);
    }

    private boolean resumable(RunContext ctx, Instance instance) {
        return transport.name().equals(tag(instance, TestTags.TRANSPORT)) && tag(instance, TestTags.GAVE_WAY) == null
                && tag(instance, TestTags.SUPERSEDED_BY) == null && transport.canResume(ctx);
    }

    private static boolean alive(Instance i) {
        String state = i.state() == null ? null : i.state().nameAsString();
        return state == null || "pending".equals(state) || "running".equals(state);
    }

    /** For a verdict re-emitted from tags: the output and console, while the test instance still exists. */
    public Uni<TestOutcome> withEvidence(String region, TestOutcome recorded) {
        return liveInstance(region, recorded.testedAmiId(), recorded.attempt())
                .chain(found -> found.isEmpty() ? Uni.createFrom().item(recorded)
                        : console.evidence(region, found.get().instanceId()).map(text -> {
                            var run = ConsoleMarkers.parse(text, TestAttempts.runId(recorded.testedAmiId(),
                                    recorded.attempt()));
                            return new TestOutcome(recorded.verdict(), recorded.failure(), recorded.exitCode(),
                                    recorded.durationMillis(), run.started() ? run.output() : null,
                                    text.isEmpty() ? null : text, recorded.reason(), recorded.testedAmiId(),
                                    recorded.attempt());
                        }))
                .onFailure().recoverWithItem(recorded);
    }

    public void forget(String amiId, int attempt) {
        transport.forget(TestAttempts.runId(amiId, attempt));
    }

    private Uni<Optional<Instance>> liveInstance(String region, String amiId, int attempt) {
        return resources.find(region, amiId).chain(found -> {
            Optional<String> id = found.stream()
                    .filter(r -> r.kind() == TestResources.Kind.INSTANCE)
                    .filter(r -> "pending".equals(r.state()) || "running".equals(r.state()))
                    .filter(r -> String.valueOf(attempt).equals(r.tags().get(TestTags.ATTEMPT)))
                    .map(TestResources.Resource::id)
                    .findFirst();
            return id.isEmpty() ? Uni.createFrom().item(Optional.<Instance>empty())
                    : waiters.describe(region, id.get()).map(Optional::ofNullable);
        });
    }

    /** EC2's word first; an EC2 that does not describe it (moto) leaves the event's. */
    private static String virtualizationType(AmiRegistered event, AmiFacts target) {
        return target.virtualizationType() != null ? target.virtualizationType()
                : event.ami().variant().virtualizationType();
    }

    private RunContext context(AmiRegistered event, AmiFacts target, int attempt) {
        String runId = TestAttempts.runId(target.amiId(), attempt);
        Instant expires = Instant.now().plus(config.timeouts().job()).plus(config.timeouts().running());
        Map<String, String> tags = new LinkedHashMap<>(AwsTags.forAmi(event.imageKey(), event.composeId(),
                event.image(), event.ami().variant(), TestTags.PURPOSE_INSTANCE));
        tags.put(TestTags.TEST_AMI, target.amiId());
        tags.put(TestTags.ATTEMPT, String.valueOf(attempt));
        tags.put(TestTags.EXPIRES_AT, expires.toString());
        // an EC2 that does not describe the architecture (moto keeps only name and description of RegisterImage):
        // the one the uploader registered
        String arch = target.architecture() != null ? target.architecture() : event.ami().ec2Architecture();
        return new RunContext(event.ami().region(), target.amiId(), arch, attempt, runId, script(), tags, expires);
    }

    private Map<String, String> instanceTags(RunContext ctx) {
        Map<String, String> tags = new LinkedHashMap<>(ctx.tags());
        tags.put(TestTags.TRANSPORT, transport.name());
        tags.put(AwsTags.NAME, "fedimg-test " + ctx.runId());
        return tags;
    }

    private String script() {
        try {
            return Files.readString(config.scriptPath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fedimg.tester.script-path " + config.scriptPath(), e);
        }
    }

    private static String stateOf(Instance i) {
        if (i == null) {
            return "instance vanished";
        }
        String reason = i.stateReason() == null ? "" : " (" + i.stateReason().message() + ")";
        return "state " + i.state().nameAsString() + reason;
    }

    private static String tag(Instance i, String key) {
        return Ec2Tags.map(i.tags()).get(key);
    }

    private static long millisSince(Instant start) {
        return Math.max(0, Duration.between(start, Instant.now()).toMillis());
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
