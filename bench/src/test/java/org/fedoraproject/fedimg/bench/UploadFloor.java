package org.fedoraproject.fedimg.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.tukaani.xz.XZInputStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The throughput floor: the EC2 and EBS direct calls one trivial-image upload needs, made straight from this
 * JVM to the same emulator with the uploader's concurrency — no Kafka, no download, no xz, no hashing (block
 * checksums are computed before the clock starts). Per image: DescribeSnapshots (lookup), StartSnapshot,
 * PutSnapshotBlock per non-zero 512 KiB block, CreateTags, CompleteSnapshot, DescribeSnapshots (wait), and per
 * variant DescribeImages (lookup by name), RegisterImage, DescribeImages (wait), CreateTags.
 */
final class UploadFloor {

    private static final int BLOCK = 512 * 1024;
    private static final List<String> VOLUME_TYPES = List.of("gp3", "standard");

    private record Block(int index, byte[] data, String sha256) {
    }

    private UploadFloor() {
    }

    /** Wall time (ms) of {@code images} uploads of {@code rawXz}, {@code concurrency} at a time. */
    static long run(URI endpoint, String region, Path rawXz, int images, int concurrency) throws Exception {
        List<Block> blocks = blocks(rawXz);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try (AwsClients aws = new AwsClients(AwsConfig.of(region, endpoint), new AwsCallMetrics(new SimpleMeterRegistry()))) {
            Ec2AsyncClient ec2 = aws.ec2(region);
            EbsAsyncClient ebs = aws.ebs(region);
            upload(ec2, ebs, blocks, "warm-up-" + UUID.randomUUID());
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                String name = "fedimg-bench-floor-" + UUID.randomUUID();
                running.add(pool.submit(() -> upload(ec2, ebs, blocks, name)));
            }
            for (Future<?> f : running) {
                f.get();
            }
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void upload(Ec2AsyncClient ec2, EbsAsyncClient ebs, List<Block> blocks, String name) {
        Tag key = Tag.builder().key("fedimg:image-key").value(name).build();
        ec2.describeSnapshots(r -> r.ownerIds("self").filters(Filter.builder().name("tag:fedimg:image-key").values(name).build())).join();
        String snapshot = ebs.startSnapshot(r -> r.volumeSize(1L).clientToken(name).timeout(60)
                .tags(software.amazon.awssdk.services.ebs.model.Tag.builder().key(key.key()).value(name).build()))
                .join().snapshotId();
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (Block b : blocks) {
            puts.add(ebs.putSnapshotBlock(r -> r.snapshotId(snapshot).blockIndex(b.index()).dataLength(BLOCK)
                    .checksum(b.sha256()).checksumAlgorithm(ChecksumAlgorithm.SHA256), AsyncRequestBody.fromBytes(b.data())));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        ec2.createTags(r -> r.resources(snapshot).tags(Tag.builder().key("fedimg:checksum-verified").value("true").build())).join();
        ebs.completeSnapshot(r -> r.snapshotId(snapshot).changedBlocksCount(blocks.size())).join();
        ec2.describeSnapshots(r -> r.snapshotIds(snapshot)).join();
        for (String volumeType : VOLUME_TYPES) {
            String ami = name + "-" + volumeType;
            ec2.describeImages(r -> r.owners("self").filters(Filter.builder().name("name").values(ami).build())).join();
            String id = ec2.registerImage(r -> r.name(ami).architecture("x86_64").virtualizationType("hvm")
                    .rootDeviceName("/dev/sda1").enaSupport(true)
                    .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1").ebs(EbsBlockDevice.builder()
                            .snapshotId(snapshot).volumeType(volumeType).deleteOnTermination(true).build()).build()))
                    .join().imageId();
            ec2.describeImages(r -> r.imageIds(id)).join();
            ec2.createTags(r -> r.resources(id).tags(key)).join();
        }
    }

    /** The non-zero 512 KiB blocks of the decompressed image with their base64 SHA-256, as EBS wants them. */
    private static List<Block> blocks(Path rawXz) throws IOException, NoSuchAlgorithmException {
        List<Block> blocks = new ArrayList<>();
        try (InputStream in = new XZInputStream(Files.newInputStream(rawXz))) {
            for (int index = 0; ; index++) {
                byte[] data = in.readNBytes(BLOCK);
                if (data.length == 0) {
                    return blocks;
                }
                if (data.length < BLOCK) {
                    data = java.util.Arrays.copyOf(data, BLOCK);
                }
                if (!allZero(data)) {
                    String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
                    blocks.add(new Block(index, data, sha));
                }
            }
        }
    }

    private static boolean allZero(byte[] data) {
        for (byte b : data) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
