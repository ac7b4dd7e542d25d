package org.fedoraproject.fedimg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Resident memory of a process from {@code /proc/<pid>/status}: {@code VmRSS} now and {@code VmHWM}, the
 * kernel's high-water mark since the process started. The sampler keeps the highest VmRSS it saw per process
 * over a phase, because VmHWM also covers the start-up peak.
 */
final class Rss {

    /** In KiB, as /proc gives them; -1 when the process is gone. */
    record Reading(long rssKib, long hwmKib) {
    }

    private Rss() {
    }

    static Reading read(long pid) {
        long rss = -1;
        long hwm = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kib(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kib(line);
                }
            }
        } catch (IOException e) {
            return new Reading(-1, -1);
        }
        return new Reading(rss, hwm);
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    /** Samples VmRSS of named processes every {@code periodMillis} until closed. */
    static final class Sampler implements AutoCloseable {
        private final Map<String, LongSupplier> pids;
        private final Map<String, Long> peak = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        Sampler(Map<String, LongSupplier> pids, long periodMillis) {
            this.pids = new LinkedHashMap<>(pids);
            thread = new Thread(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample() {
            pids.forEach((name, pid) -> {
                long rss = read(pid.getAsLong()).rssKib();
                if (rss > 0) {
                    peak.merge(name, rss, Math::max);
                }
            });
        }

        /** Highest VmRSS per process seen while sampling, KiB. */
        Map<String, Long> peaks() {
            sample();
            return Map.copyOf(peak);
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }
}
