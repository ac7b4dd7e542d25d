package org.fedoraproject.fedimg.cli.janitor;

/** Who besides the owner can use an AMI (launch permission) or a snapshot (create-volume permission). */
public enum Visibility {
    /** Only the owner. */
    PRIVATE,
    /** Shared with specific accounts or organisations: published, for encrypted variants. */
    SHARED,
    /** Group {@code all}. */
    PUBLIC,
    /** Not read yet, or the read failed: never deleted in this state. */
    UNKNOWN
}
