package org.fedoraproject.fedimg.uploader.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.bundle.BundleKeys;
import org.fedoraproject.fedimg.bundle.BundleSpec;
import org.fedoraproject.fedimg.bundle.BundleWriter;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.uploader.aws.BundleBucket;
import org.fedoraproject.fedimg.uploader.aws.BundlePartUploads;
import org.fedoraproject.fedimg.uploader.download.ImageTail;

import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * The instance-store path of one ingest (issue 22), for {@link IngestRunner} with {@code -Dbench.target=bundle}:
 * the production classes from the verified download to the parts in S3 (xz index for the size → block-parallel
 * xz → tar → gzip → AES-128-CBC → 10 MiB parts → PutObject with {@code aws-exec-read} and SHA-1, at most
 * {@code bench.parts.inflight} (4) in flight) into the emulator. Each run bundles with a fresh key, so every
 * part is new (no resume skips), and its objects are deleted afterwards, outside the timing. The manifest and
 * RegisterImage are left out: they are a few small requests, and reassembly is EC2's work, not the uploader's.
 */
final class BundleIngest {

    static final String BUCKET = "fedimg-bench-bundles";

    record Result(long rawBytes, int parts, long bundledBytes) {
    }

    private final AwsClients aws;
    private final long rawBytes;

    BundleIngest(AwsClients aws, TrustedHttp http, String url, long size) {
        this.aws = aws;
        OptionalLong raw = new ImageTail(http, Duration.ofSeconds(30)).uncompressedSize(URI.create(url), size);
        this.rawBytes = raw.orElseThrow(() -> new IllegalStateException("no xz index size for " + url));
        new BundleBucket(aws).ensure("us-east-1", BUCKET, Map.of("fedimg:created-by", "fedimg-bench")).await()
                .atMost(Duration.ofMinutes(1));
    }

    Result run(String run, InputStream image, int partsInFlight) throws IOException {
        BundleSpec spec = new BundleSpec("bench", rawBytes, 0, BundleSpec.PART_SIZE, BundleSpec.GZIP_LEVEL);
        String folder = "fedimg/bench-" + run + "/";
        BundlePartUploads sink = new BundlePartUploads(aws, "us-east-1", BUCKET, p -> folder + p.fileName(),
                Map.of("fedimg:created-by", "fedimg-bench"));
        BundledImage bundled = new BundleWriter(spec, BundleKeys.random(new SecureRandom()), partsInFlight)
                .write(image, sink);
        return new Result(rawBytes, bundled.parts().size(), bundled.bundledSize());
    }

    /** The run's objects go, so that the emulator's disk holds one bundle at most. */
    void delete(String run) {
        String folder = "fedimg/bench-" + run + "/";
        var s3 = aws.s3("us-east-1");
        while (true) {
            List<ObjectIdentifier> keys = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(folder)).join().contents().stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            if (keys.isEmpty()) {
                return;
            }
            s3.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(keys).quiet(true))).join();
        }
    }
}
