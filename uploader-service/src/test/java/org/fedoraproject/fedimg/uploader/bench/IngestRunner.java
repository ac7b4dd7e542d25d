package org.fedoraproject.fedimg.uploader.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.sources.TrustedSources;
import org.fedoraproject.fedimg.uploader.aws.EbsDirectEngine;
import org.fedoraproject.fedimg.uploader.download.VerifiedDownload;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.fedoraproject.fedimg.uploader.xz.ParallelXzInputStream;
import org.fedoraproject.fedimg.uploader.xz.XzDecoder;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * One ebs-direct ingest in its own JVM, so its peak memory is its own: the production path (verified HTTP
 * download → block-parallel xz → EbsDirectEngine → CompleteSnapshot) against the emulator; with
 * {@code -Dbench.target=bundle} the instance-store path instead ({@link BundleIngest}). Prints one
 * {@code RESULT} line per run. Args: url size sha256 endpoint volumeGib xzThreads blockConcurrency steadyRuns
 * warmupBlocks.
 */
public final class IngestRunner {

    public static void main(String[] args) throws Exception {
        productionLogging();
        String url = args[0];
        long size = Long.parseLong(args[1]);
        String sha = args[2];
        URI endpoint = URI.create(args[3]);
        int volumeGib = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        int concurrency = Integer.parseInt(args[6]);
        int steadyRuns = Integer.parseInt(args[7]);
        long warmupBlocks = Long.parseLong(args[8]);
        // longer timeouts than a service's: a benchmark's machine is loaded on purpose
        AwsConfig config = AwsConfig.of("us-east-1", endpoint).withTimeouts(Duration.ofSeconds(60),
                Duration.ofMinutes(5));
        ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        try (AwsClients aws = new AwsClients(config, new AwsCallMetrics(new SimpleMeterRegistry()))) {
            EbsDirectEngine engine = new EbsDirectEngine(aws, Executors.newCachedThreadPool(), concurrency,
                    Duration.ofMinutes(2));
            // the benchmark's own image server: trusted by name, whatever it is
            TrustedHttp http = new TrustedHttp(TrustedHttp.client().version(HttpClient.Version.HTTP_1_1).build(),
                    new TrustedSources(List.of(URI.create(url).resolve("/").toString().replaceFirst(":\\d+/$", ":*/")),
                            List.of(URI.create(url).getHost()), 0));
            XzDecoder decoder = XzDecoder.valueOf(System.getProperty("bench.decoder", "AUTO")).resolve();
            // -Dbench.target=bundle: the instance-store path (BundleIngest) instead of ebs-direct
            BundleIngest bundles = "bundle".equals(System.getProperty("bench.target", "ebs"))
                    ? new BundleIngest(aws, http, url, size) : null;
            LiveHeap liveHeap = LiveHeap.watch();
            // the first ingest of a fresh JVM also pays for JIT compilation (~10 s of CPU on 2 cores), and C2
            // compiles the SDK's per-request path only after 5 000-15 000 calls (HotSpot's Tier4 thresholds), so
            // a long-running service reaches its steady state after that many PutSnapshotBlocks, whatever the
            // image size. Warm-up ingests run until warmupBlocks have been written, then steadyRuns are measured.
            long blocksSoFar = 0;
            int warmups = 0;
            for (int steady = 0; steady < steadyRuns;) {
                boolean warming = warmups == 0 || blocksSoFar < warmupBlocks;
                String run = warmups == 0 ? "cold" : warming ? "warmup" + warmups : "steady" + (steady + 1);
                boolean last = !warming && steady == steadyRuns - 1;
                if (last) {
                    profile("start,event=cpu,threads", null);
                }
                CpuUse cpu = CpuUse.start();
                String emulatorPid = System.getProperty("bench.emulator.pid");
                double emulatorCpu0 = ProcCpu.ownSeconds(emulatorPid);
                // this JVM's whole CPU (every thread: decoders, writer, Netty, JIT, GC, and the benchmark's own
                // sampler) over the ingest, as the kernel counts it: the figure set against xz -dc's CPU
                double ownCpu0 = ProcCpu.ownSeconds("self");
                VerifiedDownload download = new VerifiedDownload(http, URI.create(url), size, sha,
                        new VerifiedDownload.Settings(Duration.ofSeconds(60), 3, Duration.ofSeconds(1)), watchdogs,
                        n -> {
                        });
                EbsDirectEngine.Source source = new EbsDirectEngine.Source() {
                    public InputStream image() throws IOException {
                        return ParallelXzInputStream.open(download, threads, Integer.getInteger("bench.buffer", 8), decoder);
                    }

                    public void verifyComplete() throws IOException {
                        download.verifyToEnd();
                    }
                };
                long t0 = System.nanoTime();
                Ingested w;
                if (bundles != null) {
                    BundleIngest.Result b;
                    try (InputStream image = source.image()) {
                        b = bundles.run(run, image, Integer.getInteger("bench.parts.inflight", 4));
                    }
                    source.verifyComplete();
                    w = new Ingested(b.rawBytes(), b.parts(), 0, "bundle-" + b.bundledBytes() + "-bytes");
                } else {
                    EbsDirectEngine.Written e = engine.write(new EbsDirectEngine.Target("us-east-1",
                            "bench-" + System.nanoTime(), volumeGib, 60, Map.of("fedimg:created-by", "fedimg-bench"),
                            "bench"), source, UploadProgress.detached(), written -> Uni.createFrom().voidItem()).await()
                            .atMost(Duration.ofHours(2));
                    w = new Ingested(e.bytes(), e.blocksWritten(), e.blocksSkipped(), e.snapshotId());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double procCpu = ProcCpu.ownSeconds("self") - ownCpu0;
                if (bundles != null) {
                    bundles.delete(run);
                }
                if (last) {
                    profile("stop,collapsed,file=", run);
                }
                // warm-up counts requests: a bundle part is 20 EBS blocks' worth of bytes
                blocksSoFar += bundles != null ? w.written() * 20 : w.written();
                if (warming) {
                    warmups++;
                } else {
                    steady++;
                }
                String emulatorCpu = emulatorCpu0 < 0 ? "" : String.format(" emulatorCpuSeconds=%.1f",
                        ProcCpu.ownSeconds(emulatorPid) - emulatorCpu0);
                System.out.printf("RESULT run=%s target=%s decoder=%s seconds=%.2f procCpuSeconds=%.2f bytes=%d "
                        + "written=%d skipped=%d liveHeapMaxMiB=%d heapPeakMiB=%d rssPeakMiB=%d cpuSeconds=%s%s "
                        + "snapshot=%s uptimeMs=%d%n", run, bundles != null ? "bundle" : "ebs", decoder, seconds, procCpu, w.bytes(),
                        w.written(), w.skipped(), liveHeap.maxMiB(), heapPeakMiB(), vmHwmKib() >> 10, cpu.report(),
                        emulatorCpu, w.what(), ManagementFactory.getRuntimeMXBean().getUptime());
            }
        }
        watchdogs.shutdownNow();
        System.exit(0);
    }

    /** What one ingest wrote: EBS blocks (written, skipped) and the snapshot, or bundle parts and their size. */
    private record Ingested(long bytes, long written, long skipped, String what) {
    }

    /**
     * The service logs through JBoss LogManager at INFO (Quarkus' default). Unconfigured, it would enable
     * DEBUG, and the SDK's Netty client would then hex-dump every request body: the benchmark would measure
     * logging, not the upload.
     */
    private static void productionLogging() {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        org.jboss.logmanager.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
    }

    /** Sum of the heap pools' peaks: how far the JVM let the heap grow (G1 grows it up to -Xmx when it can). */
    private static long heapPeakMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }

    /**
     * With {@code -Dbench.profile=DIR -Dbench.profiler=libasyncProfiler.so} (and
     * {@code -Djdk.attach.allowAttachSelf=true}), async-profiler samples this JVM and the emulator's during
     * the last run only, writing collapsed stacks per thread to DIR/ingest-RUN.txt and DIR/emulator-RUN.txt.
     */
    private static void profile(String command, String run) {
        String dir = System.getProperty("bench.profile");
        String lib = System.getProperty("bench.profiler");
        if (dir == null || lib == null) {
            return;
        }
        String self = String.valueOf(ProcessHandle.current().pid());
        String emulator = System.getProperty("bench.emulator.pid");
        for (String[] target : new String[][] {{self, "ingest"}, {emulator, "emulator"}}) {
            if (target[0] == null) {
                continue;
            }
            try {
                com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(target[0]);
                try {
                    vm.loadAgentPath(lib, run == null ? command : command + dir + "/" + target[1] + "-" + run + ".txt");
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                System.err.println("profiling " + target[1] + " failed: " + e);
            }
        }
    }

    static long vmHwmKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
