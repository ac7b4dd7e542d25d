package org.fedoraproject.fedimg.e2e;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;

/**
 * Which compose image a snapshot holds, from its bytes: its blocks are read the way AWS offers them (EBS direct
 * ListSnapshotBlocks and GetSnapshotBlock, here against the emulator), hashed here (the service's checksum header
 * is not trusted), and matched against the decompressed images of {@link ComposeTruth}. A match also proves the
 * literal claim: the snapshot's first {@code rawSize} bytes have the SHA-256 of the decompressed image, and
 * everything after them is zero.
 *
 * <p>Why EBS direct and not the emulator's {@code Inspector.snapshotSha256}: that hashes the whole volume
 * (7 GiB of mostly zeros per snapshot, about 2 s per GiB on the shared machine), too slow for every public AMI
 * of a run, and the emulator offers no block-level view outside its internal package yet.
 */
final class SnapshotContents implements AutoCloseable {

    /** What a snapshot holds: one compose image, or a problem saying why it is none. */
    record Content(ComposeTruth.Image image, String problem) {
        boolean known() {
            return image != null;
        }
    }

    private final AwsClients aws;
    private final Map<Map<Integer, String>, List<ComposeTruth.Image>> byBlocks = new HashMap<>();
    private final Map<String, Content> cache = new ConcurrentHashMap<>();
    private final int maxBlocks;

    SnapshotContents(URI endpoint, Collection<ComposeTruth.Image> images) {
        this.aws = new AwsClients(AwsConfig.of(Audit.BASE_REGION, endpoint), new AwsCallMetrics(new SimpleMeterRegistry()));
        images.stream().filter(i -> i.rawSha256() != null)
                .forEach(i -> byBlocks.computeIfAbsent(i.rawBlocks(), k -> new ArrayList<>()).add(i));
        this.maxBlocks = 8 + (int) (images.stream().mapToLong(ComposeTruth.Image::rawSize).max().orElse(0) / ComposeTruth.BLOCK);
    }

    /** The content of a snapshot, read once per snapshot. */
    Content of(String region, String snapshotId) {
        if (snapshotId == null) {
            return new Content(null, "no snapshot");
        }
        return cache.computeIfAbsent(region + "/" + snapshotId, k -> read(region, snapshotId));
    }

    private Content read(String region, String snapshotId) {
        Map<Integer, byte[]> data = new TreeMap<>();
        try {
            List<Block> listed = list(region, snapshotId);
            if (listed.size() > maxBlocks) {
                return new Content(null, "holds " + listed.size() + " blocks, more than any compose image");
            }
            for (Block b : listed) {
                byte[] bytes = client(region).getSnapshotBlock(r -> r.snapshotId(snapshotId).blockIndex(b.blockIndex())
                        .blockToken(b.blockToken()), AsyncResponseTransformer.toBytes()).join().asByteArray();
                if (!ComposeTruth.isZero(bytes)) {
                    data.put(b.blockIndex(), bytes);
                }
            }
        } catch (CompletionException e) {
            return new Content(null, "unreadable through EBS direct: " + e.getCause());
        }
        Map<Integer, String> digests = new TreeMap<>();
        data.forEach((i, bytes) -> digests.put(i, ComposeTruth.sha256(bytes, bytes.length)));
        List<ComposeTruth.Image> matches = byBlocks.getOrDefault(digests, List.of());
        if (matches.size() != 1) {
            return new Content(null, matches.isEmpty() ? "its " + digests.size() + " non-zero blocks are no compose image's"
                    : "holds an image several composes list: " + matches.stream().map(ComposeTruth.Image::key)
                            .collect(Collectors.joining(", ")));
        }
        ComposeTruth.Image image = matches.get(0);
        String prefix = sha256OfFirst(data, image.rawSize());
        return prefix.equals(image.rawSha256()) ? new Content(image, null)
                : new Content(null, "its first " + image.rawSize() + " bytes have SHA-256 " + prefix + ", not "
                        + image.rawSha256() + " of " + image.key());
    }

    private List<Block> list(String region, String snapshotId) {
        List<Block> all = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListSnapshotBlocksResponse page = client(region).listSnapshotBlocks(r -> r.snapshotId(snapshotId)
                    .nextToken(next)).join();
            all.addAll(page.blocks());
            token = page.nextToken();
        } while (token != null && all.size() <= maxBlocks);
        return all;
    }

    /** SHA-256 of the first {@code length} bytes of the snapshot: its blocks in order, zeros where none is stored. */
    private static String sha256OfFirst(Map<Integer, byte[]> blocks, long length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] zeros = new byte[ComposeTruth.BLOCK];
            for (int i = 0; (long) i * ComposeTruth.BLOCK < length; i++) {
                int len = (int) Math.min(ComposeTruth.BLOCK, length - (long) i * ComposeTruth.BLOCK);
                sha.update(blocks.getOrDefault(i, zeros), 0, len);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private EbsAsyncClient client(String region) {
        return aws.ebs(region);
    }

    @Override
    public void close() {
        aws.close();
    }
}
