package org.fedoraproject.fedimg.replicator.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.KeyedTurns;
import org.fedoraproject.fedimg.replicator.aws.BlockPublicAccessStep;
import org.fedoraproject.fedimg.replicator.aws.CopyStep;
import org.fedoraproject.fedimg.replicator.aws.CopyWait;
import org.fedoraproject.fedimg.replicator.aws.DeprecationStep;
import org.fedoraproject.fedimg.replicator.aws.MakePublicStep;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.aws.ShareStep;
import org.fedoraproject.fedimg.replicator.aws.SourceImages;
import org.fedoraproject.fedimg.replicator.aws.TagStep;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings;
import org.fedoraproject.fedimg.replicator.domain.DeprecationPolicy;
import org.fedoraproject.fedimg.replicator.domain.PublicationGuard.Permit;
import org.fedoraproject.fedimg.replicator.domain.ReplicationEvents;
import org.fedoraproject.fedimg.replicator.domain.StreamPublication;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Replicates one permitted AMI variant to a set of regions: in each region (at most
 * {@code parallelism} at a time, each with its own deadline) find or copy, wait, tag, then make public
 * (unencrypted) or share (encrypted), then deprecate if the compose type says so. A region's failure
 * becomes its FAILED result with a reason and never stops the others. Each result is handed to
 * {@code onRegion} as soon as its region is done, so it is durable before the next region finishes.
 */
public final class ReplicationEngine {

    private static final Logger LOG = Logger.getLogger(ReplicationEngine.class);

    private final AwsClients aws;
    private final ReplicationSettings settings;
    private final ReplicatorMetrics metrics;
    private final Clock clock;
    private final BooleanSupplier stopping;
    private final QuotaGate quotaGate;
    /**
     * One public-AMI decision per region at a time: the variants of one image replicate side by side, and two of
     * them must not both see one free public AMI slot in the same region.
     */
    private final KeyedTurns regionLocks = new KeyedTurns();

    /**
     * @param stopping true once the service shuts down: a region interrupted then is not a real failure, so it
     *                 is not recorded; the job fails instead and its record is redelivered after the restart
     */
    public ReplicationEngine(AwsClients aws, ReplicationSettings settings, ReplicatorMetrics metrics, Clock clock,
            BooleanSupplier stopping) {
        this.aws = aws;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.stopping = stopping;
        this.quotaGate = new QuotaGate(aws, settings, metrics, clock);
    }

    public ReplicationSettings settings() {
        return settings;
    }

    public Uni<List<RegionDone>> replicate(AmiTested tested, Permit permit, Collection<String> regions,
            Function<RegionDone, Uni<Void>> onRegion) {
        return replicate(tested, permit, regions, onRegion, s -> Uni.createFrom().voidItem());
    }

    /**
     * @param announce writes the status event of an AMI made private to make room under the public AMI quota,
     *                 right after it was made private
     */
    public Uni<List<RegionDone>> replicate(AmiTested tested, Permit permit, Collection<String> regions,
            Function<RegionDone, Uni<Void>> onRegion, Function<StageStatus, Uni<Void>> announce) {
        String base = aws.baseRegion();
        return SourceImages.describe(aws.ec2(base), base, permit.sourceAmiId())
                .onItem().transformToMulti(source -> Multi.createFrom().iterable(regions)
                        .onItem().transformToUni(region -> region(tested, permit, source, region, announce)
                                .flatMap(done -> onRegion.apply(done).replaceWith(done)))
                        .merge(settings.parallelism()))
                .collect().asList()
                .onFailure(RegionFailure.class).recoverWithUni(t -> {
                    // The source itself is unusable: every region fails with that reason, none silently.
                    RegionFailure rf = (RegionFailure) t;
                    return Multi.createFrom().iterable(regions)
                            .onItem().transformToUniAndConcatenate(r -> {
                                RegionDone done = failed(tested, r, null, rf);
                                return onRegion.apply(done).replaceWith(done);
                            })
                            .collect().asList();
                });
    }

    private Uni<RegionDone> region(AmiTested tested, Permit permit, Image source, String region,
            Function<StageStatus, Uni<Void>> announce) {
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.COPY);
        AtomicReference<String> amiId = new AtomicReference<>();
        Duration deadline = settings.regionDeadline();
        boolean isBase = region.equals(aws.baseRegion());
        return Uni.createFrom().voidItem()
                .invoke(metrics::regionStarted)
                .chain(() -> isBase
                        ? publish(tested, permit, source, region, source, phase, announce)
                        : copy(tested, permit, source, region, amiId)
                                .flatMap(copy -> publish(tested, permit, source, region, copy, phase, announce)))
                .ifNoItem().after(deadline).failWith(() -> new RegionFailure(phase.get(), "no result in " + region
                        + " within the region deadline of " + deadline + " (fedimg.replicator.copy.region-deadline) during "
                        + phase.get().name().toLowerCase()))
                .onFailure(t -> !stopping.getAsBoolean()).recoverWithItem(t -> {
                    RegionFailure rf = t instanceof RegionFailure r ? r
                            : new RegionFailure(phase.get(), "unexpected error in " + region + ": " + t, t);
                    LOG.warnf("region %s of %s (%s) failed: %s", region, tested.imageKey(), permit.variant(), rf.getMessage());
                    return failed(tested, region, amiId.get(), rf);
                })
                .invoke(done -> metrics.regionResult(region, done.result().outcome()))
                .eventually(metrics::regionEnded);
    }

    private Uni<Image> copy(AmiTested tested, Permit permit, Image source, String region, AtomicReference<String> amiId) {
        Ec2AsyncClient ec2 = aws.ec2(region);
        boolean encrypted = tested.ami().variant().encrypted();
        Optional<String> kms = encrypted ? Optional.ofNullable(settings.kmsKeys().get(region)) : Optional.empty();
        if (encrypted && kms.isEmpty()) {
            return Uni.createFrom().failure(new RegionFailure(Phase.COPY, "no KMS key configured for encrypted copies in "
                    + region + " (fedimg.replicator.encrypted.kms-keys.\"" + region + "\")"));
        }
        Map<String, String> tags = copyTags(tested, source);
        long start = System.nanoTime();
        return CopyStep.findOrCopy(ec2, permit, aws.baseRegion(), source, region, tags, kms)
                .invoke(c -> amiId.set(c.amiId()))
                .flatMap(c -> CopyWait.await(ec2, region, c.amiId(), settings.copyWait())
                        .onItemOrFailure().invoke((i, t) -> metrics.copyDuration(region, t == null,
                                Duration.ofNanos(System.nanoTime() - start)))
                        // A copy started now got its tags from TagSpecifications; one found from an earlier run may lack some.
                        .flatMap(image -> c.started() ? Uni.createFrom().item(image)
                                : TagStep.ensure(ec2, region, image.imageId(), SourceImages.snapshotIds(image), tags)
                                        .replaceWith(image)));
    }

    private Uni<RegionDone> publish(AmiTested tested, Permit permit, Image source, String region, Image image,
            AtomicReference<Phase> phase, Function<StageStatus, Uni<Void>> announce) {
        phase.set(Phase.PUBLISH);
        Ec2AsyncClient ec2 = aws.ec2(region);
        List<String> snapshots = SourceImages.snapshotIds(image);
        boolean encrypted = tested.ami().variant().encrypted();
        StreamPublication stream = settings.publication(tested.image().composeType(), tested.image().release());
        // a share-only stream (staging) never makes anything public, so the public AMI quota is not its concern
        boolean shareOnly = !encrypted && stream.shareOnly();
        List<String> accounts = shareOnly ? stream.shareWith().all() : shareAccounts(tested);
        String note = encrypted ? "encrypted: not public, shared with " + (accounts.isEmpty() ? "no account" : String.join(",", accounts))
                : shareOnly ? "share-only (stream " + stream.key().name() + "): not public, shared with " + String.join(",", accounts)
                : null;
        Uni<Void> visible = encrypted
                ? ShareStep.share(ec2, permit, source.imageId(), region, image.imageId(), snapshots, accounts)
                : shareOnly ? ShareStep.share(ec2, permit, source.imageId(), region, image.imageId(), snapshots, stream.shareWith())
                : sharingAllowed(ec2, region)
                        .chain(() -> regionLocks.run(region, () -> quotaGate.makeRoom(tested, region, image, announce)
                                .flatMap(demoted -> makePublic(permit, source, region, image, snapshots, demoted > 0))));
        Optional<Instant> deprecateAt = DeprecationPolicy.deprecateAt(tested.image().composeType(), tested.time(),
                clock.instant(), settings.deprecation());
        Uni<Void> verdictTag = region.equals(aws.baseRegion())
                ? TagStep.ensure(ec2, region, image.imageId(), List.of(), lifecycleTags(tested, Map.of(AwsTags.TEST_VERDICT, "passed")))
                : Uni.createFrom().voidItem();
        return verdictTag
                .chain(() -> visible)
                .chain(() -> deprecateAt.map(at -> DeprecationStep.deprecate(ec2, region, image.imageId(), at))
                        .orElseGet(() -> Uni.createFrom().voidItem()))
                .map(x -> succeeded(tested, region, image, snapshots, encrypted || shareOnly, accounts, note,
                        deprecateAt.orElse(null)));
    }

    /**
     * Right after AMIs were made private to make room, EC2 may still count them for a moment (eventually
     * consistent): a quota refusal then is retried, a bounded number of times.
     */
    private Uni<Void> makePublic(Permit permit, Image source, String region, Image image, List<String> snapshots,
            boolean afterDemotion) {
        Uni<Void> call = MakePublicStep.makePublic(aws.ec2(region), permit, source.imageId(), region, image.imageId(),
                snapshots, image.rootDeviceType() == DeviceType.INSTANCE_STORE);
        if (!afterDemotion) {
            return call;
        }
        var retry = settings.publicAmiQuota().retry();
        return call.onFailure(t -> t.getMessage() != null && t.getMessage().startsWith("public AMI quota"))
                .retry().withBackOff(retry.delay(), retry.delay()).atMost(Math.max(0, retry.maxAttempts() - 1));
    }

    /** What the lifecycle decisions read: the stream (compose type) and the age's start (the test). */
    private static Map<String, String> lifecycleTags(AmiTested tested, Map<String, String> tags) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        if (tested.image().composeType() != null) {
            all.put(AwsTags.COMPOSE_TYPE, tested.image().composeType());
        }
        if (tested.time() != null) {
            all.put(AwsTags.TESTED_AT, tested.time().toString());
        }
        return all;
    }

    private Uni<Void> sharingAllowed(Ec2AsyncClient ec2, String region) {
        return settings.checkBlockPublicAccess()
                ? BlockPublicAccessStep.ensureSharingAllowed(ec2, region, settings.disableBlockPublicAccess(),
                        settings.unblockWait())
                : Uni.createFrom().voidItem();
    }

    private Map<String, String> copyTags(AmiTested tested, Image source) {
        Map<String, String> tags = new LinkedHashMap<>();
        Ec2Tags.map(source.tags()).forEach((k, v) -> {
            if (!k.startsWith("aws:")) {
                tags.put(k, v);
            }
        });
        tags.put(AwsTags.SOURCE_AMI, source.imageId());
        tags.put(AwsTags.TEST_VERDICT, "passed");
        tags.putIfAbsent(AwsTags.NAME, source.name());
        return lifecycleTags(tested, tags);
    }

    private List<String> shareAccounts(AmiTested tested) {
        LinkedHashSet<String> accounts = new LinkedHashSet<>(settings.shareWithAccounts());
        if (tested.ami().shareWithAccounts() != null) {
            accounts.addAll(tested.ami().shareWithAccounts());
        }
        return List.copyOf(accounts);
    }

    /** @param shared not public: shared with {@code accounts} (encrypted, or a share-only stream) */
    private RegionDone succeeded(AmiTested tested, String region, Image image, List<String> snapshots, boolean shared,
            List<String> accounts, String note, Instant deprecation) {
        Instant now = clock.instant();
        AmiPublished result = ReplicationEvents.published(tested, region, image.imageId(),
                snapshots.isEmpty() ? null : snapshots.get(0), shared, accounts, note, deprecation, now);
        List<StageStatus> statuses = new ArrayList<>();
        if (!region.equals(aws.baseRegion())) {
            statuses.add(ReplicationEvents.status(tested, Stage.COPY, StageState.COMPLETED, region, image.imageId(), null,
                    now));
        }
        statuses.add(ReplicationEvents.status(tested, Stage.PUBLISH, StageState.COMPLETED, region, image.imageId(), note,
                now));
        return new RegionDone(result, statuses);
    }

    private RegionDone failed(AmiTested tested, String region, String amiId, RegionFailure failure) {
        Instant now = clock.instant();
        String reason = failure.getMessage();
        AmiPublished result = ReplicationEvents.failed(tested, region, amiId, reason, now);
        List<StageStatus> statuses = new ArrayList<>();
        boolean isBase = region.equals(aws.baseRegion());
        if (failure.phase() == Phase.COPY && !isBase) {
            statuses.add(ReplicationEvents.status(tested, Stage.COPY, StageState.FAILED, region, amiId, reason, now));
        } else {
            if (!isBase) {
                statuses.add(ReplicationEvents.status(tested, Stage.COPY, StageState.COMPLETED, region, amiId, null, now));
            }
            statuses.add(ReplicationEvents.status(tested, Stage.PUBLISH, StageState.FAILED, region, amiId, reason, now));
        }
        return new RegionDone(result, statuses);
    }
}
