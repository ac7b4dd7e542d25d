package org.fedoraproject.fedimg.emulator;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Misbehaviour on demand. Everything set here stays until {@link #clear()} (or {@link AwsEmulator#reset()}),
 * so a test scopes its faults by clearing them (the JUnit extension resets between tests).
 * The same switches are reachable over HTTP: {@code POST /_emulator/faults} (see the README).
 */
public final class Faults {

    private volatile double throttleRate;
    private volatile double internalErrorRate;
    private volatile boolean instanceNeverPassesStatusChecks;
    private volatile Duration snapshotNotFoundWindow = Duration.ZERO;
    private volatile Duration latency = Duration.ZERO;
    private final Map<String, FailingCall> failingCalls = new ConcurrentHashMap<>();
    private final Set<String> failCopyImageInto = ConcurrentHashMap.newKeySet();
    private final Set<String> publicAmiQuotaExceeded = ConcurrentHashMap.newKeySet();
    private final Map<String, Boolean> blockPublicAccess = new ConcurrentHashMap<>();
    private final Set<String> bucketsOwnedElsewhere = ConcurrentHashMap.newKeySet();
    private final CallSignals signals = new CallSignals();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> injected = new ConcurrentHashMap<>();

    /** A fraction (0..1) of all calls fails with RequestLimitExceeded (EC2) or SlowDown (EBS direct). */
    public Faults throttle(double rate) {
        this.throttleRate = checkRate(rate);
        return this;
    }

    /** A fraction (0..1) of all calls fails with a 500: InternalError (EC2), InternalServerException (EBS). */
    public Faults internalErrors(double rate) {
        this.internalErrorRate = checkRate(rate);
        return this;
    }

    /**
     * The next {@code times} calls of {@code action} (EC2 action name such as {@code CopyImage}, or an EBS
     * direct operation such as {@code PutSnapshotBlock}) fail with {@code errorCode}. The HTTP status follows
     * the code: 503 for throttling codes, 500 for internal errors, 400 otherwise.
     */
    public Faults failCall(String action, int times, String errorCode) {
        Objects.requireNonNull(action);
        Objects.requireNonNull(errorCode);
        if (times <= 0) {
            failingCalls.remove(action);
        } else {
            failingCalls.put(action, new FailingCall(errorCode, new AtomicInteger(times)));
        }
        return this;
    }

    /** Every CopyImage into this region starts, then its image goes to state {@code failed}. */
    public Faults failCopyImageInto(String region) {
        failCopyImageInto.add(region);
        return this;
    }

    /** Instances stay {@code initializing} for their status-check delay, then report {@code impaired}. */
    public Faults instanceNeverPassesStatusChecks(boolean never) {
        this.instanceNeverPassesStatusChecks = never;
        return this;
    }

    /** Making an AMI public in this region fails with ResourceLimitExceeded. */
    public Faults publicAmiQuotaExceeded(String region) {
        publicAmiQuotaExceeded.add(region);
        return this;
    }

    /** Turns image block public access on or off in a region, as EnableImageBlockPublicAccess would. */
    public Faults blockPublicAccess(String region, boolean on) {
        blockPublicAccess.put(region, on);
        return this;
    }

    /**
     * S3 bucket names are global: this one belongs to another account, so CreateBucket answers
     * BucketAlreadyExists (409), as it does for a name somebody else took first.
     */
    public Faults bucketOwnedElsewhere(String bucket) {
        bucketsOwnedElsewhere.add(Objects.requireNonNull(bucket));
        return this;
    }

    /**
     * For this long after StartSnapshot, EBS direct calls on the new snapshot answer ResourceNotFoundException
     * (SNAPSHOT_NOT_FOUND), as real AWS does for a few seconds.
     */
    public Faults snapshotNotFoundFor(Duration window) {
        this.snapshotNotFoundWindow = Objects.requireNonNull(window);
        return this;
    }

    /** Added to every call before it is handled. */
    public Faults latency(Duration latency) {
        this.latency = Objects.requireNonNull(latency);
        return this;
    }

    /**
     * Signals once at the {@code nth} call (counted from now) of {@code action} made with {@code accessKey} (null:
     * any), before or after it takes effect: see {@link CallSignals}. For crash tests.
     */
    public Faults signalAt(String action, String accessKey, int nth, CallSignals.When when,
            java.util.function.Consumer<CallSignals.Call> signal) {
        signals.at(action, accessKey, nth, when, signal);
        return this;
    }

    /** The call signals, and the calls counted per access key. */
    public CallSignals signals() {
        return signals;
    }

    /**
     * How many faults were injected, by kind ({@code throttled}, {@code internal error}, {@code failCall <code>},
     * {@code CopyImage made to fail}, {@code EBS direct snapshot not found}), since the start or the last reset:
     * {@link #clear()} keeps them, so a test can read what it injected after it stopped injecting.
     */
    public java.util.SortedMap<String, Long> injectedCounts() {
        java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
        injected.forEach((k, n) -> out.put(k, n.get()));
        return out;
    }

    /** The emulator counts a fault it injected (used by the emulator). */
    public void countInjected(String kind) {
        injected.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    }

    /** Forgets the injected-fault and per-access-key call counts (the emulator's reset). */
    public void resetCounts() {
        injected.clear();
        signals.resetCounts();
    }

    /** Removes every fault (armed call signals included). */
    public Faults clear() {
        throttleRate = 0;
        internalErrorRate = 0;
        instanceNeverPassesStatusChecks = false;
        snapshotNotFoundWindow = Duration.ZERO;
        latency = Duration.ZERO;
        failingCalls.clear();
        failCopyImageInto.clear();
        publicAmiQuotaExceeded.clear();
        blockPublicAccess.clear();
        bucketsOwnedElsewhere.clear();
        signals.clear();
        return this;
    }

    // ---- read side, used by the emulator ----

    public double throttleRate() {
        return throttleRate;
    }

    public double internalErrorRate() {
        return internalErrorRate;
    }

    public boolean instanceNeverPassesStatusChecks() {
        return instanceNeverPassesStatusChecks;
    }

    public Duration snapshotNotFoundWindow() {
        return snapshotNotFoundWindow;
    }

    public Duration latency() {
        return latency;
    }

    public boolean copyImageFailsInto(String region) {
        return failCopyImageInto.contains(region);
    }

    public boolean publicAmiQuotaExceededIn(String region) {
        return publicAmiQuotaExceeded.contains(region);
    }

    /** The block-public-access override for a region, if a fault set one. */
    public Optional<Boolean> blockPublicAccessOverride(String region) {
        return Optional.ofNullable(blockPublicAccess.get(region));
    }

    public boolean isBucketOwnedElsewhere(String bucket) {
        return bucketsOwnedElsewhere.contains(bucket);
    }

    /** Rolls the dice for this call: the error code to answer with, if any. */
    public Optional<String> injectedError(String action) {
        FailingCall failing = failingCalls.get(action);
        if (failing != null) {
            int left = failing.remaining().getAndDecrement();
            if (left > 0) {
                if (left == 1) {
                    failingCalls.remove(action, failing);
                }
                countInjected("failCall " + failing.errorCode());
                return Optional.of(failing.errorCode());
            }
        }
        double rolled = ThreadLocalRandom.current().nextDouble();
        if (rolled < throttleRate) {
            countInjected("throttled");
            return Optional.of(THROTTLE);
        }
        if (ThreadLocalRandom.current().nextDouble() < internalErrorRate) {
            countInjected("internal error");
            return Optional.of(INTERNAL);
        }
        return Optional.empty();
    }

    /** Marker codes translated per protocol (RequestLimitExceeded / SlowDown; InternalError / InternalServerException). */
    public static final String THROTTLE = "<throttle>";
    public static final String INTERNAL = "<internal>";

    private static double checkRate(double rate) {
        if (rate < 0 || rate > 1 || Double.isNaN(rate)) {
            throw new IllegalArgumentException("rate must be within 0..1: " + rate);
        }
        return rate;
    }

    private record FailingCall(String errorCode, AtomicInteger remaining) {
    }
}
