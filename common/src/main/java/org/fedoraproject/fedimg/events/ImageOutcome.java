package org.fedoraproject.fedimg.events;

public enum ImageOutcome {
    /** Every target region of every variant succeeded. */
    COMPLETE,
    /** Some regions failed; {@link ImagePublished#regions()} lists which and why. */
    PARTIAL,
    /** No region succeeded. */
    FAILED,
    /** Nothing was copied because the test failed or the checksum was not verified. */
    REJECTED
}
