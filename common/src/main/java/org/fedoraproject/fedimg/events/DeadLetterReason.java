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
    INVARIANT_VIOLATION,
    /** A URL outside the compose-source allow-list ({@code fedimg.sources.*}): nothing was fetched from it. */
    UNTRUSTED_SOURCE,
    /** The compose metadata stayed unreachable past the retry cap (count and time per message). */
    METADATA_UNREACHABLE,
    /** A message, images.json or compose is larger than its configured bound. */
    INPUT_TOO_LARGE,
    /** An image's declared or decompressed size is beyond the configured maximum or its volume. */
    IMAGE_TOO_LARGE
}
