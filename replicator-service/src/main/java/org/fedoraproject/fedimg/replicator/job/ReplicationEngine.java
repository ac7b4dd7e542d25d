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
    }

    public ReplicationSettings settings() {
        return settings;
    }

    public Uni<List<RegionDone>> replicate(AmiTested tested, Permit permit, Collection<String> regions,
            Function<RegionDone, Uni<Void>> onRegion) {
        String base = aws.baseRegion();
        return SourceImages.describe(aws.ec2(base), base, permit.sourceAmiId())
                .onItem().transformToMulti(source -> Multi.createFrom().iterable(regions)
                        .onItem().transformToUni(region -> region(tested, permit, source, region)
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

    private Uni<RegionDone> region(AmiTested tested, Permit permit, Image source, String region) {
        AtomicReference<Phase> phase = new AtomicReference<>(Phase.COPY);
        AtomicReference<String> amiId = new AtomicReference<>();
        Duration deadline = settings.regionDeadline();
        boolean isBase = region.equals(aws.baseRegion());
        return Uni.createFrom().voidItem()
                .invoke(metrics::regionStarted)
                .chain(() -> isBase
                        ? publish(tested, permit, source, region, source, phase)
                        : copy(tested, permit, source, region, amiId)
                                .flatMap(copy -> publish(tested, permit, source, region, copy, phase)))
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
        Map<String, String> tags = copyTags(source);
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
            AtomicReference<Phase> phase) {
        phase.set(Phase.PUBLISH);
        Ec2AsyncClient ec2 = aws.ec2(region);
        List<String> snapshots = SourceImages.snapshotIds(image);
        boolean encrypted = tested.ami().variant().encrypted();
        List<String> accounts = shareAccounts(tested);
        Uni<Void> visible = encrypted
                ? ShareStep.share(ec2, permit, source.imageId(), region, image.imageId(), snapshots, accounts)
                : sharingAllowed(ec2, region)
                        .chain(() -> MakePublicStep.makePublic(ec2, permit, source.imageId(), region, image.imageId(), snapshots,
                                image.rootDeviceType() == DeviceType.INSTANCE_STORE));
        Optional<Instant> deprecateAt = DeprecationPolicy.deprecateAt(tested.image().composeType(), tested.time(),
                clock.instant(), settings.deprecation());
        Uni<Void> verdictTag = region.equals(aws.baseRegion())
                ? TagStep.ensure(ec2, region, image.imageId(), List.of(), Map.of(AwsTags.TEST_VERDICT, "passed"))
                : Uni.createFrom().voidItem();
        return verdictTag
                .chain(() -> visible)
                .chain(() -> deprecateAt.map(at -> DeprecationStep.deprecate(ec2, region, image.imageId(), at))
                        .orElseGet(() -> Uni.createFrom().voidItem()))
                .map(x -> succeeded(tested, region, image, snapshots, encrypted, accounts, deprecateAt.orElse(null)));
    }

    private Uni<Void> sharingAllowed(Ec2AsyncClient ec2, String region) {
        return settings.checkBlockPublicAccess()
                ? BlockPublicAccessStep.ensureSharingAllowed(ec2, region, settings.disableBlockPublicAccess(),
                        settings.unblockWait())
                : Uni.createFrom().voidItem();
    }

    private Map<String, String> copyTags(Image source) {
        Map<String, String> tags = new LinkedHashMap<>();
        Ec2Tags.map(source.tags()).forEach((k, v) -> {
            if (!k.startsWith("aws:")) {
                tags.put(k, v);
            }
        });
        tags.put(AwsTags.SOURCE_AMI, source.imageId());
        tags.put(AwsTags.TEST_VERDICT, "passed");
        tags.putIfAbsent(AwsTags.NAME, source.name());
        return tags;
    }

    private List<String> shareAccounts(AmiTested tested) {
        LinkedHashSet<String> accounts = new LinkedHashSet<>(settings.shareWithAccounts());
        if (tested.ami().shareWithAccounts() != null) {
            accounts.addAll(tested.ami().shareWithAccounts());
        }
        return List.copyOf(accounts);
    }

    private RegionDone succeeded(AmiTested tested, String region, Image image, List<String> snapshots, boolean encrypted,
            List<String> accounts, Instant deprecation) {
        String note = encrypted ? "encrypted: not public, shared with " + (accounts.isEmpty() ? "no account" : String.join(",", accounts))
                : null;
        Instant now = clock.instant();
        AmiPublished result = ReplicationEvents.published(tested, region, image.imageId(),
                snapshots.isEmpty() ? null : snapshots.get(0), encrypted, accounts, note, deprecation, now);
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
