package org.fedoraproject.fedimg.uploader.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes as the kernel accounts it, from {@code /proc/<pid>/stat} (stat(5)): utime + stime of a
 * process (all its threads, live and ended), and cutime + cstime, the CPU of its children that it has
 * waited for. Both are in clock ticks of USER_HZ, which is 100 on Linux (x86, arm64: {@code getconf CLK_TCK}),
 * so 10 ms resolution: well below the seconds an ingest or an {@code xz -dc} of a GiB takes. The same source for
 * the ingest and its baseline, so their ratio does not depend on how the JVM or a shell counts.
 */
final class ProcCpu {

    static final double TICKS_PER_SECOND = 100.0;

    private ProcCpu() {
    }

    /** utime + stime of a process ("self" for this one), in seconds; -1 when it cannot be read. */
    static double ownSeconds(String pid) {
        long[] f = fields(pid);
        return f == null ? -1 : (f[0] + f[1]) / TICKS_PER_SECOND;
    }

    /** cutime + cstime of a process ("self" for this one): its reaped children's CPU, in seconds; -1 on failure. */
    static double childrenSeconds(String pid) {
        long[] f = fields(pid);
        return f == null ? -1 : (f[2] + f[3]) / TICKS_PER_SECOND;
    }

    /** Fields 14-17 of stat(5): utime, stime, cutime, cstime. */
    private static long[] fields(String pid) {
        if (pid == null) {
            return null;
        }
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // the command name (field 2) may hold spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3, so field 14 is f[11]
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
