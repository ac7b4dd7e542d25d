package org.fedoraproject.fedimg.uploader.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Where the CPU of one ingest went: the process total, every Java thread by name prefix (threads that end
 * during the run, like the image's xz decoders, are sampled every 100 ms), JIT compilation time and GC
 * pause time. The rest of the total is the JVM's own threads (JIT, GC workers).
 */
final class CpuUse {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long processStart = processCpuNanos();
    private final long jitStart = jitMillis();
    private final long gcStart = gcMillis();
    private final Map<Long, Long> first = new ConcurrentHashMap<>();
    private final Map<Long, Long> last = new ConcurrentHashMap<>();
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    private final java.util.Set<Long> atStart = ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> atStartSched = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpu-sampler");
        t.setDaemon(true);
        return t;
    });

    static CpuUse start() {
        CpuUse cpu = new CpuUse();
        cpu.sample();
        cpu.atStart.addAll(cpu.first.keySet());
        cpu.atStartSched.addAll(cpu.decoderSched.keySet());
        cpu.sampler.scheduleAtFixedRate(cpu::sample, 100, 100, TimeUnit.MILLISECONDS);
        return cpu;
    }

    /** Per native thread of the decoders: {time on a CPU, time runnable but waiting for one} (ns), from schedstat. */
    private final Map<String, long[]> decoderSched = new ConcurrentHashMap<>();
    private final Map<String, long[]> decoderSchedFirst = new ConcurrentHashMap<>();

    private void sampleSched() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return;
        }
        for (java.io.File task : tasks) {
            try {
                String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
                if (!comm.startsWith("xz-decode")) {
                    continue;
                }
                String[] f = java.nio.file.Files.readString(task.toPath().resolve("schedstat")).trim().split(" ");
                long[] v = {Long.parseLong(f[0]), Long.parseLong(f[1])};
                decoderSchedFirst.putIfAbsent(task.getName(), v);
                decoderSched.put(task.getName(), v);
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
    }

    private void sample() {
        sampleSched();
        for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long cpu = THREADS.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    first.putIfAbsent(info.getThreadId(), cpu);
                    last.put(info.getThreadId(), cpu);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
    }

    /** "total:12.3,jit:1.0,gc:0.2,xz-decode:8.1,..." in seconds. */
    String report() {
        sample();
        sampler.shutdownNow();
        double total = (processCpuNanos() - processStart) / 1e9;
        Map<String, Double> byGroup = new TreeMap<>();
        // a thread born during the run counts from zero
        last.forEach((id, cpu) -> byGroup.merge(group(names.get(id)),
                (cpu - (atStart.contains(id) ? first.get(id) : 0)) / 1e9, Double::sum));
        double threads = byGroup.values().stream().mapToDouble(Double::doubleValue).sum();
        long[] sched = {0, 0};
        // decoder threads are born during the run (a new stream per image), so they count from zero
        decoderSched.forEach((tid, v) -> {
            long[] f = atStartSched.contains(tid) ? decoderSchedFirst.get(tid) : new long[] {0, 0};
            sched[0] += v[0] - f[0];
            sched[1] += v[1] - f[1];
        });
        return String.format("total:%.1f,jvm-threads:%.1f,jit-ms:%d,gc-pause-ms:%d,decoder-on-cpu:%.1f,"
                + "decoder-runnable-waiting:%.2f,", total, total - threads, jitMillis() - jitStart, gcMillis() - gcStart,
                sched[0] / 1e9, sched[1] / 1e9)
                + byGroup.entrySet().stream().filter(e -> e.getValue() >= 0.05)
                        .map(e -> String.format("%s:%.1f", e.getKey(), e.getValue())).collect(Collectors.joining(","));
    }

    private static String group(String name) {
        return name.replaceAll("[-#]?\\d+(-\\d+)*$", "").replace(' ', '_').replace(',', '_');
    }

    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
