package org.fedoraproject.fedimg.replicator.job;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleEvents;
import org.fedoraproject.fedimg.lifecycle.aws.MakePrivate;
import org.fedoraproject.fedimg.lifecycle.aws.ManagedAmis;
import org.fedoraproject.fedimg.lifecycle.aws.MarkDemotion;
import org.fedoraproject.fedimg.lifecycle.aws.PublicAmiQuota;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction;
import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;
import org.fedoraproject.fedimg.lifecycle.domain.Retention;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure;
import org.fedoraproject.fedimg.replicator.aws.RegionFailure.Phase;
import org.fedoraproject.fedimg.replicator.config.ReplicationSettings;
import org.fedoraproject.fedimg.replicator.domain.ReplicationEvents;
import org.fedoraproject.fedimg.replicator.metrics.ReplicatorMetrics;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * Room under the region's public AMI quota before an AMI is made public: count the account's public AMIs, ask
 * {@link Retention#makeRoom} what may go (only the oldest of the new AMI's own stream the policy no longer keeps;
 * never a release, a kept AMI or one launched within the window), make those private (each announced on the bus),
 * or fail the region with the reason "public AMI quota" and demote nothing.
 */
final class QuotaGate {

    private static final Logger LOG = Logger.getLogger(QuotaGate.class);

    private final AwsClients aws;
    private final ReplicationSettings settings;
    private final ReplicatorMetrics metrics;
    private final Clock clock;

    QuotaGate(AwsClients aws, ReplicationSettings settings, ReplicatorMetrics metrics, Clock clock) {
        this.aws = aws;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** @return the number of AMIs made private */
    Uni<Integer> makeRoom(AmiTested tested, String region, Image image, Function<StageStatus, Uni<Void>> announce) {
        if (Boolean.TRUE.equals(image.publicLaunchPermissions())) {
            return Uni.createFrom().item(0); // already public: a redelivery, it holds its slot
        }
        var ec2 = aws.ec2(region);
        ManagedAmi incoming = incoming(tested, region, image);
        // Not public yet: an earlier delivery may have demoted for it and crashed before announcing. (Once it is
        // public its demotions were announced: each announcement is acked before the AMI is made public.)
        return reannounce(incoming, announce).chain(() -> quota(region)).flatMap(quota -> ManagedAmis.publicOnes(ec2, region)
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "DescribeImages of the public AMIs", region, t))
                .flatMap(publicAmis -> {
                    Retention.Room room = Retention.makeRoom(publicAmis, quota, incoming, settings.streams(), clock.instant());
                    metrics.publicAmis(region, publicAmis.size(), quota);
                    if (room.refusal().isPresent()) {
                        metrics.quotaRefused(region);
                        return Uni.createFrom().failure(new RegionFailure(Phase.PUBLISH, room.refusal().get()));
                    }
                    return Multi.createFrom().iterable(room.demote())
                            .onItem().transformToUniAndConcatenate(old -> demote(old, incoming, announce))
                            .collect().asList().map(List::size);
                }));
    }

    /**
     * Tagged with the AMI it makes room for, then made private, then announced: a crash after the demotion and before
     * the announcement leaves the tag, by which the redelivery finds the AMI again ({@link #reannounce}).
     */
    private Uni<Void> demote(ManagedAmi old, ManagedAmi incoming, Function<StageStatus, Uni<Void>> announce) {
        LifecycleAction action = action(old, incoming);
        LOG.infof("making %s (%s) private in %s: %s", old.amiId(), old.name(), old.region(), action.reason());
        var ec2 = aws.ec2(old.region());
        return MarkDemotion.apply(ec2, old, incoming.amiId())
                .chain(() -> MakePrivate.apply(ec2, old))
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "making " + old.amiId() + " private for room",
                        old.region(), t))
                .invoke(() -> metrics.demoted(old.region()))
                .chain(() -> announce.apply(LifecycleEvents.done(action, ReplicationEvents.SERVICE, clock.instant())));
    }

    /**
     * Announces again every AMI already made private for room for {@code incoming}: its event id is derived from the
     * AMI, region and step, so an announcement that did go out is published once all the same.
     */
    private Uni<Void> reannounce(ManagedAmi incoming, Function<StageStatus, Uni<Void>> announce) {
        return ManagedAmis.demotedFor(aws.ec2(incoming.region()), incoming.region(), incoming.amiId())
                .onFailure().transform(t -> RegionFailure.of(Phase.PUBLISH, "DescribeImages of the AMIs demoted for "
                        + incoming.amiId(), incoming.region(), t))
                .flatMap(demoted -> Multi.createFrom().iterable(demoted)
                        .onItem().transformToUniAndConcatenate(old -> {
                            LOG.infof("%s in %s was made private for %s: announcing it (again)", old.amiId(), old.region(),
                                    incoming.amiId());
                            return announce.apply(LifecycleEvents.done(action(old, incoming), ReplicationEvents.SERVICE,
                                    clock.instant()));
                        })
                        .collect().last().replaceWithVoid());
    }

    private static LifecycleAction action(ManagedAmi old, ManagedAmi incoming) {
        return new LifecycleAction(old, LifecycleAction.Kind.MAKE_PRIVATE,
                "room under the public AMI quota of " + old.region() + " for " + incoming.name() + " (" + incoming.amiId() + ")");
    }

    private Uni<Long> quota(String region) {
        var configured = settings.publicAmiQuota().configured(region);
        if (configured.isPresent()) {
            return Uni.createFrom().item(configured.getAsLong());
        }
        return PublicAmiQuota.read(aws.serviceQuotas(region))
                .onFailure().recoverWithItem(t -> {
                    LOG.warnf("the public AMI quota of %s could not be read from Service Quotas (%s); assuming %d "
                            + "(fedimg.replicator.public-ami-quota.value sets it)", region, t.getMessage(),
                            settings.publicAmiQuota().fallback());
                    return settings.publicAmiQuota().fallback();
                });
    }

    static ManagedAmi incoming(AmiTested tested, String region, Image image) {
        return new ManagedAmi(image.imageId(), region, image.name(), tested.imageKey(), tested.image().sha256(),
                tested.image().composeType(), tested.composeId(), tested.image().release(), tested.image().arch(),
                tested.ami().variant().slug(), tested.time(), false, false, false, java.util.Optional.empty(), List.of());
    }
}
