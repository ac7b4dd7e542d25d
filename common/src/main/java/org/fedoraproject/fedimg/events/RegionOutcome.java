package org.fedoraproject.fedimg.events;

public enum RegionOutcome {
    /** Copied, and the AMI and its snapshot are public. */
    PUBLISHED,
    /** Copied and shared with the configured accounts (encrypted AMIs are never public). */
    SHARED,
    /** Copy or publication failed; {@code reason} says why. */
    FAILED
}
