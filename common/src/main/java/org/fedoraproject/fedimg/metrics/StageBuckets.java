package org.fedoraproject.fedimg.metrics;

import java.time.Duration;

/**
 * Histogram buckets ({@code _bucket{le=...}}) for the stage and job durations of every service, so dashboards
 * and alerts can take quantiles across instances. Fixed boundaries rather than Micrometer's percentile
 * histogram: about 15 series per tag set instead of about 70, spanning local-mode runs (well under a second)
 * to slow uploads and copies (an hour or more).
 */
public final class StageBuckets {

    public static final Duration[] DURATIONS = {
        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30),
        Duration.ofHours(1), Duration.ofHours(2)};

    private StageBuckets() {
    }
}
