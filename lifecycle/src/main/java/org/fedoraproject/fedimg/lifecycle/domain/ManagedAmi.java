package org.fedoraproject.fedimg.lifecycle.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the lifecycle decisions need to know of one AMI fedimg published, read from its tags and state.
 *
 * @param publishedAt   its test time (tag {@code fedimg:tested-at}), else its creation time
 * @param kept          it carries the {@code fedimg:keep} tag: never demoted or deleted, whatever the policy
 * @param lastLaunched  {@code LastLaunchedTime}, when EC2 knows one
 */
public record ManagedAmi(
        String amiId,
        String region,
        String name,
        String imageKey,
        String sha256,
        String composeType,
        String composeId,
        String release,
        String arch,
        String variant,
        Instant publishedAt,
        boolean isPublic,
        boolean disabled,
        boolean kept,
        Optional<Instant> lastLaunched,
        List<String> snapshotIds) {

    public ManagedAmi {
        snapshotIds = List.copyOf(snapshotIds);
    }

    /** The group whose newest AMIs a policy keeps public. */
    public String group() {
        return release + "/" + arch + "/" + variant;
    }

    public ManagedAmi asPrivate() {
        return withPublic(false);
    }

    public ManagedAmi withPublic(boolean isPublic) {
        return new ManagedAmi(amiId, region, name, imageKey, sha256, composeType, composeId, release, arch, variant, publishedAt, isPublic,
                disabled, kept, lastLaunched, snapshotIds);
    }
}
