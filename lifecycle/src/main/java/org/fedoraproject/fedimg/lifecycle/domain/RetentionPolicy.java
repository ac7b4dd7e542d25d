package org.fedoraproject.fedimg.lifecycle.domain;

import java.time.Duration;
import java.util.Optional;

/**
 * How long the AMIs of one stream stay public and when they go away. Ages count from the AMI's publication
 * (its test time), so every run of the lifecycle job and every replica reaches the same decision.
 *
 * @param keepPublic      the newest this many AMIs per (release, arch, variant) stay public
 * @param publicFor       when set, an AMI older than this is no longer kept public, even among the newest
 * @param privateAfter    an AMI no longer kept public is made private once at least this old
 * @param disableAfter    when set, a private AMI is disabled once this old
 * @param deregisterAfter when set, a private or disabled AMI is deregistered (snapshots deleted) once this old
 * @param unlaunchedFor   nothing happens to an AMI launched less than this long ago ({@code LastLaunchedTime})
 * @param demote          false: the stream's AMIs are never made private, disabled or deregistered (releases)
 */
public record RetentionPolicy(
        int keepPublic,
        Optional<Duration> publicFor,
        Duration privateAfter,
        Optional<Duration> disableAfter,
        Optional<Duration> deregisterAfter,
        Duration unlaunchedFor,
        boolean demote) {

    public RetentionPolicy {
        if (keepPublic < 0) {
            throw new IllegalArgumentException("keep-public must not be negative");
        }
        if (deregisterAfter.isPresent() && disableAfter.isPresent() && deregisterAfter.get().compareTo(disableAfter.get()) < 0) {
            throw new IllegalArgumentException("deregister-after must not be shorter than disable-after");
        }
    }

    /** Never demoted, never deleted: Fedora's releases by default. */
    public static RetentionPolicy forever() {
        return new RetentionPolicy(Integer.MAX_VALUE, Optional.empty(), Duration.ZERO, Optional.empty(), Optional.empty(),
                Duration.ZERO, false);
    }
}
