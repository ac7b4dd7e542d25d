package org.fedoraproject.fedimg.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Signals at a call boundary, for crash tests: "tell me before (or after) the Nth call of operation X made with
 * access key K", so a test can SIGKILL the process that made the call at that instant. Each process of a test
 * gets its own access key (any unknown key acts as the owning account), which is how a signal tells the
 * services apart; {@link #callsByAccessKey()} says which operations each key made.
 *
 * <ul>
 * <li>{@link When#BEFORE}: the call is held while the signal runs and then refused without effect (500
 * InternalError): the caller is meant to be dead by then, as if it died before its request reached AWS.</li>
 * <li>{@link When#AFTER}: the call takes effect; the signal runs before the answer goes out, so a caller killed
 * by it never learns that AWS acted.</li>
 * </ul>
 * A signal fires once. Over HTTP ({@code POST /_emulator/faults {"signal": [...]}}) the signal is a file the
 * emulator writes (one JSON object) and the call is held until the watcher deletes the file or {@code hold}
 * passes.
 */
public final class CallSignals {

    /** Where a signal fires relative to its call. */
    public enum When {
        BEFORE, AFTER
    }

    /** The call a signal fired at: its operation, region, the caller's access key, its number, and the side. */
    public record Call(String action, String region, String accessKey, int nth, When when) {
    }

    private final List<Armed> armed = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> byKey = new ConcurrentHashMap<>();

    /**
     * Arms a one-shot signal at the {@code nth} (1-based, counted from now) call of {@code action} (EC2 action, EBS
     * direct or S3 operation) made with {@code accessKey} ({@code null}: any key).
     */
    public CallSignals at(String action, String accessKey, int nth, When when, Consumer<Call> signal) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth counts from 1: " + nth);
        }
        armed.add(new Armed(Objects.requireNonNull(action), accessKey, nth, Objects.requireNonNull(when),
                Objects.requireNonNull(signal), new AtomicInteger(), new AtomicBoolean()));
        return this;
    }

    /** As {@link #at}, the signal being {@code file} written (a JSON object), the call held until it is deleted. */
    public CallSignals atFile(String action, String accessKey, int nth, When when, Path file, Duration hold) {
        return at(action, accessKey, nth, when, call -> writeAndHold(file, call, hold));
    }

    /** Signals armed and not fired yet. */
    public int pending() {
        return (int) armed.stream().filter(a -> !a.fired().get()).count();
    }

    public void clear() {
        armed.clear();
    }

    /** Disarms the signals not fired yet that watch calls made with this access key. */
    public void disarm(String accessKey) {
        armed.removeIf(a -> Objects.equals(a.accessKey(), accessKey));
    }

    /** Calls received per access key and operation since the start (or the last reset), failed ones included. */
    public SortedMap<String, SortedMap<String, Long>> callsByAccessKey() {
        SortedMap<String, SortedMap<String, Long>> out = new TreeMap<>();
        byKey.forEach((k, n) -> {
            int tab = k.indexOf('\t');
            out.computeIfAbsent(k.substring(0, tab), x -> new TreeMap<>()).put(k.substring(tab + 1), n.get());
        });
        return out;
    }

    /** Forgets the counts (the emulator's reset). */
    public void resetCounts() {
        byKey.clear();
    }

    // ---- used by the emulator's front ----

    /**
     * A call arrives: counts it, runs the BEFORE signals due (true: refuse the call) and returns what to run
     * once it has been handled.
     */
    public Arrival arrive(String action, String region, String accessKey) {
        String key = accessKey == null ? "anonymous" : accessKey;
        byKey.computeIfAbsent(key + "\t" + action, k -> new AtomicLong()).incrementAndGet();
        if (armed.isEmpty()) {
            return Arrival.NONE;
        }
        boolean refuse = false;
        List<Runnable> after = new java.util.ArrayList<>();
        for (Armed a : armed) {
            if (a.fired().get() || !a.action().equals(action) || (a.accessKey() != null && !a.accessKey().equals(accessKey))) {
                continue;
            }
            int n = a.count().incrementAndGet();
            if (n == a.nth() && a.fired().compareAndSet(false, true)) {
                Call call = new Call(action, region, key, n, a.when());
                if (a.when() == When.BEFORE) {
                    a.signal().accept(call);
                    refuse = true;
                } else {
                    after.add(() -> a.signal().accept(call));
                }
            }
        }
        armed.removeIf(a -> a.fired().get());
        return new Arrival(refuse, after);
    }

    /** What a call's arrival decided: refuse it (a BEFORE signal fired), and the AFTER signals to run. */
    public record Arrival(boolean refuse, List<Runnable> after) {
        static final Arrival NONE = new Arrival(false, List.of());

        /** Runs the AFTER signals: call it once the call has had its effect, before the answer is sent. */
        public void handled() {
            after.forEach(Runnable::run);
        }
    }

    private record Armed(String action, String accessKey, int nth, When when, Consumer<Call> signal,
            AtomicInteger count, AtomicBoolean fired) {
    }

    private static void writeAndHold(Path file, Call call, Duration hold) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, String.format("{\"action\":\"%s\",\"region\":\"%s\",\"accessKey\":\"%s\",\"nth\":%d,"
                    + "\"when\":\"%s\"}%n", call.action(), call.region(), call.accessKey().replace("\"", ""), call.nth(),
                    call.when()), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Instant until = Instant.now().plus(hold);
            while (Files.exists(file) && Instant.now().isBefore(until)) {
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
