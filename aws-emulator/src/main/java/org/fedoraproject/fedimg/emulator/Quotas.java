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
    /** "region/quota" or "*&#47;quota" -> value set on the running emulator. */
    private final Map<String, Long> increased = new ConcurrentHashMap<>();

    Quotas(Map<Quota, Long> configured) {
        this.configured = new EnumMap<>(Quota.class);
        this.configured.putAll(configured);
    }

    /** The value in force in a region: an increase there, else one for every region, else configured, else AWS's. */
    public long value(String region, Quota quota) {
        Long v = increased.get(region + "/" + quota.key());
        if (v == null) {
            v = increased.get("*/" + quota.key());
        }
        if (v == null) {
            v = configured.get(quota);
        }
        return v == null ? quota.awsDefault() : v;
    }

    /** Sets a quota in every region (like an approved increase), until {@link AwsEmulator#reset()}. */
    public Quotas set(Quota quota, long value) {
        checkValue(value);
        increased.keySet().removeIf(k -> k.endsWith("/" + quota.key()));
        increased.put("*/" + quota.key(), value);
        return this;
    }

    /** Sets a quota in one region, until {@link AwsEmulator#reset()}. */
    public Quotas set(String region, Quota quota, long value) {
        checkValue(value);
        increased.put(Objects.requireNonNull(region) + "/" + quota.key(), value);
        return this;
    }

    /** Back to the values the emulator was built with ({@link AwsEmulator#reset()} calls it). */
    public void reset() {
        increased.clear();
    }

    static void checkValue(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a quota is not negative: " + value);
        }
    }
}
