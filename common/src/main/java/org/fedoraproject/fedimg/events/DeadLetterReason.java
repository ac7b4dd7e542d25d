package org.fedoraproject.fedimg.events;

/** Why input went to the dead-letter topic. */
public enum DeadLetterReason {
    MALFORMED_MESSAGE,
    UNKNOWN_STATUS,
    UNKNOWN_COMPOSE,
    METADATA_NOT_FOUND,
    METADATA_INVALID,
    NO_EC2_IMAGES,
    BAD_SIGNATURE,
    IMAGE_NOT_FOUND,
    DOWNLOAD_FAILED,
    SIZE_MISMATCH,
    CHECKSUM_MISMATCH,
    NOT_XZ,
    TRUNCATED_XZ,
    CONFIGURATION_ERROR,
    INVARIANT_VIOLATION
}
