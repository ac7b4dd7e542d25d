package org.fedoraproject.fedimg.uploader.aws;

import java.time.Duration;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * CreateTags on an ebs-direct snapshot whose download matched its size and SHA-256, just before
 * CompleteSnapshot: {@link #VERIFIED}, and the CompleteSnapshot arguments in {@link #COMPLETION}, so a restart
 * that finds the snapshot still pending can complete it again.
 */
public final class VerifiedSnapshotTags {

    /** Set on a snapshot once the download behind it matched its size and SHA-256. */
    public static final String VERIFIED = "fedimg:verified";
    /** "changed-blocks linear-aggregate" of a verified ebs-direct snapshot: what CompleteSnapshot is sent. */
    public static final String COMPLETION = "fedimg:completion";

    private final AwsClients aws;
    private final Duration notFoundWindow;

    /** @param notFoundWindow how long EC2 may not know a snapshot EBS direct just started ({@code ebs.not-found-window}) */
    public VerifiedSnapshotTags(AwsClients aws, Duration notFoundWindow) {
        this.aws = aws;
        this.notFoundWindow = notFoundWindow;
    }

    /**
     * Tags the snapshot verified. It may be seconds old (a small image is written in less): EC2 may not know it yet
     * and answers "InvalidID: ... does not exist", which is retried as PutSnapshotBlock's "not found" is. Failing
     * the job instead cost a whole job retry (the backoff and the download again: 14 s in a local run, issue 20).
     */
    public Uni<Void> mark(String region, String snapshotId, EbsDirectEngine.Completion c) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).createTags(b -> b.resources(snapshotId)
                .tags(Tag.builder().key(VERIFIED).value("true").build(),
                        Tag.builder().key(COMPLETION).value(c.changedBlocks() + " " + c.linearAggregate()).build())))
                .onFailure(EbsDirectEngine::snapshotNotReadyYet).retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).withJitter(0.2)
                .expireIn(notFoundWindow.toMillis())
                .replaceWithVoid();
    }

    public static boolean verified(Snapshot s) {
        return "true".equals(Ec2Tags.value(s.tags(), VERIFIED));
    }

    /** The CompleteSnapshot arguments kept on the snapshot; none on a utility-instance snapshot. */
    public static Optional<EbsDirectEngine.Completion> completion(Snapshot s) {
        String kept = Ec2Tags.value(s.tags(), COMPLETION);
        if (kept == null) {
            return Optional.empty();
        }
        String[] parts = kept.split(" ", 2);
        return Optional.of(new EbsDirectEngine.Completion(Integer.parseInt(parts[0]), parts[1]));
    }
}
