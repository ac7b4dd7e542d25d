package org.fedoraproject.fedimg.uploader.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * The uploader benchmark ({@code mvn -Pbench}): builds realistic raw disk images (ext4 made by
 * {@code mke2fs -d} from real files of this machine, the rest of the file system zeroed free space),
 * compresses them as single-block ({@code xz -T1}) and multi-block ({@code xz -T2}) files, then measures in
 * the same run {@code xz -dc > /dev/null}, {@code xz -T0 -dc > /dev/null} and the ebs-direct ingest (HTTP on
 * loopback → verify → block-parallel xz → PutSnapshotBlock into the emulator → CompleteSnapshot) in its own
 * JVM, once per decoder (liblzma, xz-java): a cold ingest (fresh JVM, JIT still compiling), more in the same
 * JVM until bench.warmup.blocks (10 000) PutSnapshotBlocks have been written, so that C2 has compiled the
 * per-request path, then bench.steady (3) more, whose median is the long-running service's steady state, with
 * the largest heap left after any GC and the peak RSS. Each baseline runs bench.baseline.runs times (3) and
 * counts by its median: one {@code xz -dc} of a file has been seen to vary by 20 % on this machine. The JVM's
 * heap is capped at bench.xmx for every size, so "it ran" already shows that memory does not grow with the
 * image. Properties: bench.dir, bench.sizes (GiB, "1,8"), bench.fill (% of the file system filled with files,
 * 30), bench.preset (xz preset, 3), bench.concurrency (32), bench.threads (0 = cores), bench.xmx (256m),
 * bench.decoders ("LIBLZMA,JAVA"), bench.steady (3), bench.warmup.blocks (10000), bench.baseline.runs (3),
 * bench.single.max (largest GiB size that also gets a single-block file, 8), bench.emulator.jar,
 * bench.tls (true: the emulator serves HTTPS, as AWS does; false: plain HTTP), bench.ingest.jvmargs and
 * bench.emulator.jvmargs (extra JVM options, e.g. for profiling), bench.kinds ("single,multi":
 * which xz files to measure), bench.prepareOnly (true: only make the images). Beside the wall times, CPU from
 * /proc (issue 20): the ingest JVM's own utime+stime per ingest and each xz baseline's (reaped child) CPU, both
 * per GiB of raw image, and their ratio.
 */
public final class UploaderBenchmark {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("bench.dir", "target/bench")).toAbsolutePath();
        Files.createDirectories(dir);
        List<Integer> sizes = new ArrayList<>();
        for (String s : System.getProperty("bench.sizes", "1,8").split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        int fill = Integer.getInteger("bench.fill", 30);
        String preset = System.getProperty("bench.preset", "3");
        int concurrency = Integer.getInteger("bench.concurrency", 32);
        int threads = Integer.getInteger("bench.threads", 0);
        int singleMax = Integer.getInteger("bench.single.max", 8);
        String xmx = System.getProperty("bench.xmx", "256m");
        int steadyRuns = Integer.getInteger("bench.steady", 3);
        long warmupBlocks = Long.getLong("bench.warmup.blocks", 10_000);
        int baselineRuns = Integer.getInteger("bench.baseline.runs", 3);
        List<String> kinds = List.of(System.getProperty("bench.kinds", "single,multi").split(","));
        List<String> decoders = List.of(System.getProperty("bench.decoders", "LIBLZMA,JAVA").split(","));
        // ebs (ebs-direct) and/or bundle (the instance-store path, issue 22), each in the same run as the baselines
        List<String> targets = List.of(System.getProperty("bench.targets", "ebs").split(","));
        Path jar = Path.of(System.getProperty("bench.emulator.jar", System.getProperty("user.home")
                + "/.m2/repository/org/fedoraproject/fedimg/aws-emulator/1.0.0-SNAPSHOT/aws-emulator-1.0.0-SNAPSHOT-standalone.jar"));

        String loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
        List<String[]> files = new ArrayList<>();
        for (int gib : sizes) {
            Path raw = dir.resolve("disk-" + gib + "g.raw");
            if (!Files.exists(raw)) {
                makeDisk(dir, raw, gib, fill);
            }
            if (gib <= singleMax && kinds.contains("single")) {
                files.add(new String[] {String.valueOf(gib), "single-block (xz -" + preset + " -T1)",
                        compress(raw, preset, 1, "single").toString()});
            }
            if (kinds.contains("multi")) {
                files.add(new String[] {String.valueOf(gib), "multi-block (xz -" + preset + " -T2)",
                        compress(raw, preset, 2, "multi").toString()});
            }
        }
        if (Boolean.getBoolean("bench.prepareOnly")) {
            System.out.println("images ready: " + files.stream().map(f -> f[2]).toList());
            return;
        }

        int port = freePort();
        boolean tls = !"false".equals(System.getProperty("bench.tls", "true"));
        List<String> emulatorCmd = new ArrayList<>(List.of(java(), "-Xmx2g"));
        emulatorCmd.addAll(jvmArgs("bench.emulator.jvmargs"));
        emulatorCmd.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--delays", "zero",
                "--regions", "us-east-1"));
        String emulatorThreads = System.getProperty("bench.emulator.threads", "").trim();
        if (!emulatorThreads.isEmpty()) {
            emulatorCmd.addAll(List.of("--http-threads", emulatorThreads));
        }
        List<String> trust = List.of();
        if (tls) {
            // HTTPS as against AWS: the SDK then sends PutSnapshotBlock bodies unsigned (the EBS model says so),
            // where over plain HTTP it would hash every body for the signature; the price is TLS, as in production
            Path keyStore = dir.resolve("emulator-tls.p12");
            Files.deleteIfExists(keyStore);
            run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                    "-alias", "emulator", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", keyStore.toString(), "-storepass", "bench-only", "-keypass", "bench-only"));
            emulatorCmd.addAll(List.of("--tls-keystore", keyStore.toString(), "--tls-password", "bench-only"));
            trust = List.of("-Djavax.net.ssl.trustStore=" + keyStore, "-Djavax.net.ssl.trustStorePassword=bench-only",
                    "-Djavax.net.ssl.trustStoreType=PKCS12");
        }
        String endpoint = (tls ? "https" : "http") + "://127.0.0.1:" + port;
        Process emulator = new ProcessBuilder(emulatorCmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("emulator.log").toFile()).start();
        HttpServer http = fileServer(dir);
        StringBuilder md = new StringBuilder();
        StringBuilder cpuMd = new StringBuilder("| image | xz file | decoder | `xz -dc` CPU-s/GiB | `xz -T0 -dc` CPU-s/GiB "
                + "| ingest steady CPU-s/GiB | **steady CPU ÷ `xz -dc` CPU** | ingest cold CPU-s/GiB | cold CPU ÷ `xz -dc` "
                + "| wall: steady ÷ `xz -dc` (speed) | wall: steady ÷ `xz -T0 -dc` | CPU of the median steady ingest, s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        try {
            awaitPort(port);
            md.append("| image | xz file | compressed | `xz -dc` | `xz -T0 -dc` | path | decoder | ingest cold | ingest steady "
                    + "| steady ÷ `xz -dc` (speed) | steady ÷ `xz -T0 -dc` | blocks (parts) written / skipped | live heap max "
                    + "| peak RSS |\n")
                    .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String[] f : files) {
                int gib = Integer.parseInt(f[0]);
                Path file = Path.of(f[2]);
                long rawBytes = Files.size(dir.resolve("disk-" + gib + "g.raw"));
                long len = Files.size(file);
                String sha = sha256(file);
                String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/" + file.getFileName();
                double rawGib = rawBytes / (double) (1L << 30);
                Baseline xz1Run = Baseline.of(baselineRuns, List.of("xz", "-dc", file.toString()));
                Baseline xzT0Run = Baseline.of(baselineRuns, List.of("xz", "-T0", "-dc", file.toString()));
                Times xz1 = xz1Run.wall();
                Times xzT0 = xzT0Run.wall();
                for (String target : targets) {
                for (String decoder : decoders) {
                    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx" + xmx, "-Dbench.decoder=" + decoder.trim(),
                            "-Dbench.emulator.pid=" + emulator.pid(), "-Dbench.target=" + target.trim()));
                    cmd.addAll(trust);
                    cmd.addAll(jvmArgs("bench.ingest.jvmargs"));
                    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IngestRunner.class.getName(), url,
                            String.valueOf(len), sha, endpoint, String.valueOf(gib),
                            String.valueOf(threads > 0 ? threads : Runtime.getRuntime().availableProcessors()),
                            String.valueOf(concurrency), String.valueOf(steadyRuns), String.valueOf(warmupBlocks)));
                    String load = Files.readString(Path.of("/proc/loadavg")).trim();
                    List<String> results = runAll(cmd);
                    results.forEach(System.out::println);
                    String cold = results.get(0);
                    String last = results.get(results.size() - 1);
                    double coldS = Double.parseDouble(field(cold, "seconds"));
                    Times steady = new Times(results.stream().filter(r -> field(r, "run").startsWith("steady"))
                            .mapToDouble(r -> Double.parseDouble(field(r, "seconds"))).toArray());
                    System.out.printf("%d GiB %s %s: xz -dc %s, xz -T0 -dc %s, ingest cold %.1fs steady %s (%s) load %s%n",
                            gib, f[1], decoder, xz1, xzT0, coldS, steady, last, load);
                    Times steadyCpu = new Times(results.stream().filter(r -> field(r, "run").startsWith("steady"))
                            .mapToDouble(r -> Double.parseDouble(field(r, "procCpuSeconds")) / rawGib).toArray());
                    double coldCpu = Double.parseDouble(field(cold, "procCpuSeconds")) / rawGib;
                    Times xz1Cpu = xz1Run.cpu().per(rawGib);
                    Times xzT0Cpu = xzT0Run.cpu().per(rawGib);
                    // every steady ingest against the median xz -dc: the ratio's range is the ingest's spread
                    Times ratio = steadyCpu.per(xz1Cpu.median());
                    cpuMd.append(String.format("| %d GiB ext4 | %s | %s | %s | %s | %s | **%s** | %.2f | %.2f× "
                            + "| %.2f× | %.2f× | %s |%n", gib, f[1], decoder.trim().toLowerCase(), xz1Cpu.plain(),
                            xzT0Cpu.plain(), steadyCpu.plain(), ratio.plain() + "×", coldCpu, coldCpu / xz1Cpu.median(),
                            xz1.median() / steady.median(), xzT0.median() / steady.median(),
                            field(steadyMedian(results, steady.median()), "cpuSeconds")));
                    md.append(String.format("| %d GiB ext4 | %s | %d MiB | %s (%.0f MiB/s) | %s (%.0f MiB/s) "
                            + "| %s | %s | %.1f s | %s (%.0f MiB/s) | %.2f× | %.2f× | %s / %s | %s MiB | %s MiB |%n", gib,
                            f[1], len >> 20, xz1, mib(rawBytes) / xz1.median(), xzT0, mib(rawBytes) / xzT0.median(),
                            target.trim(), decoder.trim().toLowerCase(), coldS, steady, mib(rawBytes) / steady.median(),
                            xz1.median() / steady.median(), xzT0.median() / steady.median(),
                            field(last, "written"), field(last, "skipped"), field(last, "liveHeapMaxMiB"),
                            field(last, "rssPeakMiB")));
                }
                }
            }
        } finally {
            http.stop(0);
            emulator.destroy();
        }
        String loadAtEnd = Files.readString(Path.of("/proc/loadavg")).trim();
        String header = "Run " + Instant.now() + " on " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.version") + ", " + run(List.of("xz", "--version")).lines().findFirst().orElse("")
                + ", ingest JVM -Xmx" + xmx + ", block concurrency " + concurrency + ", fill " + fill + "%, emulator over "
                + (tls ? "HTTPS" : "HTTP") + ", load at start "
                + loadAtStart + ", load at end " + loadAtEnd + ", commit " + commit() + "\nbench properties: "
                + benchProperties() + "\n\n";
        String cpuNote = "\nCPU from /proc: the ingest JVM's utime+stime (/proc/self/stat) over each ingest; xz's as the "
                + "bench JVM's cutime+cstime delta around each xz it started and waited for (no shell, output to "
                + "/dev/null), per GiB of raw image; medians with the range in brackets. CPU ratio = each steady "
                + "ingest's CPU ÷ the median `xz -dc` CPU.\n\n";
        Files.writeString(dir.resolve("results.md"), header + md + cpuNote + cpuMd);
        System.out.println(header + md + cpuNote + cpuMd);
    }

    /** Space-separated JVM options from a system property (empty or unset: none). */
    private static List<String> jvmArgs(String property) {
        String v = System.getProperty(property, "").trim();
        return v.isEmpty() ? List.of() : List.of(v.split("\\s+"));
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** ext4 via mke2fs -d from real files of this machine, filling about {@code fill}% of the file system. */
    private static void makeDisk(Path dir, Path raw, int gib, int fill) throws Exception {
        Path staging = dir.resolve("files-" + gib + "g");
        long target = (long) gib * 1024 * 1024 * 1024 * fill / 100;
        long[] copied = {0};
        for (String source : new String[] {"/usr/share", "/usr/lib", "/usr/bin", "/usr/share", "/usr/lib"}) {
            if (copied[0] >= target) {
                break;
            }
            Path src = Path.of(source);
            Path dst = staging.resolve("r" + copied[0]).resolve(src.getFileName().toString());
            Files.walkFileTree(src, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    Files.createDirectories(dst.resolve(src.relativize(d).toString()));
                    return copied[0] >= target ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    if (a.isRegularFile() && Files.isReadable(f) && copied[0] < target) {
                        Files.copy(f, dst.resolve(src.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING,
                                LinkOption.NOFOLLOW_LINKS);
                        copied[0] += a.size();
                    }
                    return copied[0] >= target ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        run(List.of("/usr/sbin/mke2fs", "-q", "-t", "ext4", "-E", "root_owner=0:0", "-d", staging.toString(), "-F",
                raw.toString(), gib + "G"));
        run(List.of("rm", "-rf", staging.toString()));
        System.out.printf("made %s: %d GiB ext4 with %d MiB of files%n", raw, gib, copied[0] >> 20);
    }

    private static Path compress(Path raw, String preset, int threads, String kind) throws Exception {
        Path out = Path.of(raw + "." + kind + "-" + preset + ".xz");
        if (!Files.exists(out)) {
            Path tmp = Path.of(out + ".tmp");
            run(List.of("sh", "-c", "xz -" + preset + " -T" + threads + " -c '" + raw + "' > '" + tmp + "'"));
            Files.move(tmp, out);
        }
        return out;
    }

    /** Repeated timings of one thing, in seconds: reported as the median and the range. */
    record Times(double[] seconds) {
        /** Each value divided by {@code d} (e.g. seconds per GiB). */
        Times per(double d) {
            return new Times(Arrays.stream(seconds).map(v -> v / d).toArray());
        }

        /** The median and range with two decimals and no unit: "6.52 (6.4–6.7)". */
        String plain() {
            double min = Arrays.stream(seconds).min().orElse(0);
            double max = Arrays.stream(seconds).max().orElse(0);
            return seconds.length == 1 ? String.format("%.2f", min)
                    : String.format("%.2f (%.2f–%.2f)", median(), min, max);
        }

        double median() {
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        @Override
        public String toString() {
            double min = Arrays.stream(seconds).min().orElse(0);
            double max = Arrays.stream(seconds).max().orElse(0);
            return seconds.length == 1 ? String.format("%.1f s", min)
                    : String.format("%.2f s (%.1f–%.1f)", median(), min, max);
        }
    }

    /**
     * Repeated runs of one baseline command (its output to /dev/null), wall seconds and CPU seconds. The CPU is
     * this JVM's cutime + cstime before and after each run: the kernel adds a child's utime + stime (all its
     * threads, so all of {@code xz -T0}'s) to its parent's when the parent reaps it, which waitFor() has done
     * when it returns. Exact as long as no other child of this JVM ends meanwhile: the emulator lives on and
     * the ingest JVMs run one after the other, never during a baseline. No shell in between, so that is xz alone.
     */
    record Baseline(Times wall, Times cpu) {
        static Baseline of(int runs, List<String> cmd) throws Exception {
            double[] wall = new double[Math.max(1, runs)];
            double[] cpu = new double[wall.length];
            for (int i = 0; i < wall.length; i++) {
                double c0 = ProcCpu.childrenSeconds("self");
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(cmd + " failed");
                }
                wall[i] = (System.nanoTime() - t0) / 1e9;
                cpu[i] = ProcCpu.childrenSeconds("self") - c0;
                if (c0 < 0 || cpu[i] <= 0) {
                    throw new IllegalStateException("no CPU time of " + cmd + " in /proc/self/stat");
                }
            }
            return new Baseline(new Times(wall), new Times(cpu));
        }
    }

    /** The RESULT line of the steady ingest whose time is the median (for its CPU breakdown). */
    private static String steadyMedian(List<String> results, double median) {
        return results.stream().filter(r -> field(r, "run").startsWith("steady"))
                .min(java.util.Comparator.comparingDouble(r -> Math.abs(Double.parseDouble(field(r, "seconds")) - median)))
                .orElseThrow();
    }

    /** The commit the benchmark was built from, "+dirty" when the work tree had changes; "?" without git. */
    private static String commit() {
        try {
            String head = run(List.of("git", "rev-parse", "--short=12", "HEAD")).trim();
            return run(List.of("git", "status", "--porcelain", "--untracked-files=no")).isBlank() ? head
                    : head + "+dirty";
        } catch (Exception e) {
            return "?";
        }
    }

    /** Every -Dbench.* the benchmark ran with: the command that reproduces it. */
    private static String benchProperties() {
        return System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith("bench.")).sorted()
                .map(n -> "-D" + n + "=" + System.getProperty(n)).collect(java.util.stream.Collectors.joining(" "));
    }

    /** The output of a command that must succeed. */
    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed: " + out);
        }
        return out;
    }

    private static List<String> runAll(List<String> cmd) throws Exception {
        return run(cmd).lines().filter(l -> l.startsWith("RESULT")).toList();
    }

    private static String field(String result, String name) {
        for (String part : result.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + " in " + result);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static HttpServer fileServer(Path dir) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", ex -> {
            Path f = dir.resolve(ex.getRequestURI().getPath().substring(1));
            try (ex) {
                if (!Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                long size = Files.size(f);
                String range = ex.getRequestHeaders().getFirst("Range");
                if (range != null && range.matches("bytes=\\d+-\\d+")) {
                    // the bundle path reads the xz index first (ImageTail), with Range requests, as from Fedora's
                    // servers; a server without them leaves it no image size
                    String[] ends = range.substring("bytes=".length()).split("-");
                    long first = Long.parseLong(ends[0]);
                    long last = Math.min(Long.parseLong(ends[1]), size - 1);
                    ex.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
                    ex.sendResponseHeaders(206, last - first + 1);
                    try (OutputStream out = ex.getResponseBody();
                            var ch = java.nio.channels.FileChannel.open(f)) {
                        ch.position(first);
                        java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch);
                        out.write(in.readNBytes((int) (last - first + 1)));
                    }
                    return;
                }
                ex.sendResponseHeaders(200, size);
                try (OutputStream out = ex.getResponseBody()) {
                    Files.copy(f, out);
                }
            }
        });
        server.start();
        return server;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("emulator did not listen on " + port);
    }

    static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
