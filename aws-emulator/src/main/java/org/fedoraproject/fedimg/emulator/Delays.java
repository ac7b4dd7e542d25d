package org.fedoraproject.fedimg.emulator;

import java.time.Duration;
import java.util.Objects;

/**
 * How long each life cycle takes. States are computed from the creation time, so a describe after the
 * delay sees the next state without any background timer.
 *
 * @param instancePending         pending -> running
 * @param instanceStatusChecks    running -> status checks ok (initializing before)
 * @param instanceShutdown        shutting-down -> terminated, stopping -> stopped
 * @param volumeCreation          creating -> available
 * @param snapshotCompletion      pending (with progress) -> completed, counted from when the data is complete
 * @param imageAvailable          RegisterImage: pending -> available
 * @param copyAvailable           CopyImage: pending -> available (the copy's snapshots complete with it)
 * @param eventualConsistencyNotFound how many describes of a just-created resource answer NotFound first
 */
public record Delays(Duration instancePending, Duration instanceStatusChecks, Duration instanceShutdown,
        Duration volumeCreation, Duration snapshotCompletion, Duration imageAvailable, Duration copyAvailable,
        int eventualConsistencyNotFound) {

    public Delays {
        Objects.requireNonNull(instancePending);
        Objects.requireNonNull(instanceStatusChecks);
        Objects.requireNonNull(instanceShutdown);
        Objects.requireNonNull(volumeCreation);
        Objects.requireNonNull(snapshotCompletion);
        Objects.requireNonNull(imageAvailable);
        Objects.requireNonNull(copyAvailable);
        if (eventualConsistencyNotFound < 0) {
            throw new IllegalArgumentException("eventualConsistencyNotFound must be >= 0");
        }
    }

    /** Every transition immediate: unit tests. */
    public static Delays zero() {
        return builder().build();
    }

    /** Seconds: end-to-end tests that must see pending states without waiting minutes. */
    public static Delays fast() {
        return builder()
                .instancePending(Duration.ofMillis(1500))
                .instanceStatusChecks(Duration.ofSeconds(2))
                .instanceShutdown(Duration.ofSeconds(1))
                .volumeCreation(Duration.ofMillis(500))
                .snapshotCompletion(Duration.ofSeconds(2))
                .imageAvailable(Duration.ofSeconds(2))
                .copyAvailable(Duration.ofSeconds(4))
                .build();
    }

    /** AWS-like proportions, scaled down about tenfold: local mode and demos. */
    public static Delays realistic() {
        return builder()
                .instancePending(Duration.ofSeconds(15))
                .instanceStatusChecks(Duration.ofSeconds(45))
                .instanceShutdown(Duration.ofSeconds(10))
                .volumeCreation(Duration.ofSeconds(3))
                .snapshotCompletion(Duration.ofSeconds(60))
                .imageAvailable(Duration.ofSeconds(30))
                .copyAvailable(Duration.ofSeconds(120))
                .eventualConsistencyNotFound(1)
                .build();
    }

    /** By name, as used by the standalone jar and the Quarkus test resource: zero, fast or realistic. */
    public static Delays named(String name) {
        return switch (name == null ? "zero" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "", "zero" -> zero();
            case "fast" -> fast();
            case "realistic" -> realistic();
            default -> throw new IllegalArgumentException("unknown delays profile '" + name
                    + "' (expected zero, fast or realistic)");
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these delays. */
    public Builder toBuilder() {
        return new Builder().instancePending(instancePending).instanceStatusChecks(instanceStatusChecks)
                .instanceShutdown(instanceShutdown).volumeCreation(volumeCreation)
                .snapshotCompletion(snapshotCompletion).imageAvailable(imageAvailable).copyAvailable(copyAvailable)
                .eventualConsistencyNotFound(eventualConsistencyNotFound);
    }

    public static final class Builder {
        private Duration instancePending = Duration.ZERO;
        private Duration instanceStatusChecks = Duration.ZERO;
        private Duration instanceShutdown = Duration.ZERO;
        private Duration volumeCreation = Duration.ZERO;
        private Duration snapshotCompletion = Duration.ZERO;
        private Duration imageAvailable = Duration.ZERO;
        private Duration copyAvailable = Duration.ZERO;
        private int eventualConsistencyNotFound;

        public Builder instancePending(Duration d) {
            this.instancePending = d;
            return this;
        }

        public Builder instanceStatusChecks(Duration d) {
            this.instanceStatusChecks = d;
            return this;
        }

        public Builder instanceShutdown(Duration d) {
            this.instanceShutdown = d;
            return this;
        }

        public Builder volumeCreation(Duration d) {
            this.volumeCreation = d;
            return this;
        }

        public Builder snapshotCompletion(Duration d) {
            this.snapshotCompletion = d;
            return this;
        }

        public Builder imageAvailable(Duration d) {
            this.imageAvailable = d;
            return this;
        }

        public Builder copyAvailable(Duration d) {
            this.copyAvailable = d;
            return this;
        }

        /** A just-created resource answers NotFound to this many describes before it becomes visible. */
        public Builder eventualConsistencyNotFound(int count) {
            this.eventualConsistencyNotFound = count;
            return this;
        }

        public Delays build() {
            return new Delays(instancePending, instanceStatusChecks, instanceShutdown, volumeCreation,
                    snapshotCompletion, imageAvailable, copyAvailable, eventualConsistencyNotFound);
        }
    }
}
