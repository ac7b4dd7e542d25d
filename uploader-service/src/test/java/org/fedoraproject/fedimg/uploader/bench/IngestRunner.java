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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.fedoraproject.fedimg.aws.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.AwsClients;
import org.fedoraproject.fedimg.aws.AwsConfig;
import org.fedoraproject.fedimg.uploader.aws.AwsProducers;
import org.fedoraproject.fedimg.uploader.aws.EbsDirectEngine;
import org.fedoraproject.fedimg.uploader.download.VerifiedDownload;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.fedoraproject.fedimg.uploader.xz.ParallelXzInputStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * One ebs-direct ingest in its own JVM, so its peak memory is its own: the production path (verified HTTP
 * download → block-parallel xz → EbsDirectEngine → CompleteSnapshot) against the emulator. Prints one
 * {@code RESULT} line. Args: url size sha256 endpoint volumeGib xzThreads blockConcurrency.
 */
public final class IngestRunner {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long size = Long.parseLong(args[1]);
        String sha = args[2];
        URI endpoint = URI.create(args[3]);
        int volumeGib = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        int concurrency = Integer.parseInt(args[6]);
        AwsConfig config = new AwsConfig() {
            public String baseRegion() {
                return "us-east-1";
            }

            public Optional<URI> endpointOverride() {
                return Optional.of(endpoint);
            }

            public Optional<StaticCredentials> staticCredentials() {
                return Optional.of(new StaticCredentials() {
                    public String accessKeyId() {
                        return "test";
                    }

                    public String secretAccessKey() {
                        return "test";
                    }
                });
            }

            public int maxAttempts() {
                return 8;
            }

            public Duration apiCallAttemptTimeout() {
                return Duration.ofSeconds(60);
            }

            public Duration apiCallTimeout() {
                return Duration.ofMinutes(5);
            }

            public int maxConnections() {
                return 128;
            }
        };
        ScheduledExecutorService watchdogs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        try (AwsClients aws = new AwsClients(config, new AwsCallMetrics(new SimpleMeterRegistry()));
                AwsProducers.EbsClients ebs = new AwsProducers.EbsClients(aws)) {
            EbsDirectEngine engine = new EbsDirectEngine(ebs, Executors.newCachedThreadPool(), concurrency,
                    Duration.ofMinutes(2));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            VerifiedDownload download = new VerifiedDownload(http, URI.create(url), size, sha,
                    new VerifiedDownload.Settings(Duration.ofSeconds(60), 3, Duration.ofSeconds(1)), watchdogs, n -> {
                    });
            EbsDirectEngine.Source source = new EbsDirectEngine.Source() {
                public InputStream image() throws IOException {
                    return ParallelXzInputStream.open(download, threads, 8);
                }

                public void verifyComplete() throws IOException {
                    download.verifyToEnd();
                }
            };
            UploadProgress progress = UploadProgress.detached();
            long t0 = System.nanoTime();
            EbsDirectEngine.Written w = engine.write(new EbsDirectEngine.Target("us-east-1",
                    "bench-" + System.nanoTime(), volumeGib, 60, Map.of("fedimg:created-by", "fedimg-bench"), "bench"),
                    source, progress, id -> Uni.createFrom().voidItem()).await().atMost(Duration.ofHours(2));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long heapPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    heapPeak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("RESULT seconds=%.2f bytes=%d written=%d skipped=%d heapPeakMiB=%d rssPeakMiB=%d snapshot=%s%n",
                    seconds, w.bytes(), w.blocksWritten(), w.blocksSkipped(), heapPeak >> 20, vmHwmKib() >> 10,
                    w.snapshotId());
        }
        watchdogs.shutdownNow();
        System.exit(0);
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
