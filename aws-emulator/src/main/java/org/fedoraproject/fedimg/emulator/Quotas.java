package org.fedoraproject.fedimg.emulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The account's quota values per region, as Service Quotas would apply them: AWS's defaults, the values the
 * emulator was built with ({@link AwsEmulator.Builder#quota}, {@code --quota}) and increases made on a running
 * emulator ({@link #set}, {@code POST /_emulator/quotas}), which {@link AwsEmulator#reset()} undoes. Read by the
 * EC2 handlers, which refuse what would exceed them with {@code ResourceLimitExceeded}.
 */
public final class Quotas {

    private final Map<Quota, Long> configured;
    /** Set on the running emulator, for every region, and per region (which wins). */
    private final Map<Quota, Long> everyRegion = new ConcurrentHashMap<>();
    private final Map<String, Map<Quota, Long>> inRegion = new ConcurrentHashMap<>();

    Quotas(Map<Quota, Long> configured) {
        this.configured = new EnumMap<>(Quota.class);
        this.configured.putAll(configured);
    }

    /** The value in force in a region: set there, else set for every region, else configured, else AWS's. */
    public long value(String region, Quota quota) {
        Long v = inRegion.getOrDefault(region, Map.of()).get(quota);
        if (v == null) {
            v = everyRegion.get(quota);
        }
        if (v == null) {
            v = configured.get(quota);
        }
        return v == null ? quota.awsDefault() : v;
    }

    /** Sets a quota in every region (like an approved increase), until {@link AwsEmulator#reset()}. */
    public Quotas set(Quota quota, long value) {
        checkValue(value);
        inRegion.values().forEach(values -> values.remove(quota));
        everyRegion.put(quota, value);
        return this;
    }

    /** Sets a quota in one region, until {@link AwsEmulator#reset()}. */
    public Quotas set(String region, Quota quota, long value) {
        checkValue(value);
        inRegion.computeIfAbsent(Objects.requireNonNull(region), r -> new ConcurrentHashMap<>()).put(quota, value);
        return this;
    }

    /** Back to the values the emulator was built with ({@link AwsEmulator#reset()} calls it). */
    public void reset() {
        everyRegion.clear();
        inRegion.clear();
    }

    static void checkValue(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a quota is not negative: " + value);
        }
    }
}
