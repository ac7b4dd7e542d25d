package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.ebs.EbsAsyncClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ChecksumAggregationMethod;
import software.amazon.awssdk.services.ebs.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.ebs.model.GetSnapshotBlockResponse;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;
import software.amazon.awssdk.services.ebs.model.StartSnapshotResponse;
import software.amazon.awssdk.services.ebs.model.Tag;
import software.amazon.awssdk.services.ec2.model.Snapshot;

class EbsDirectTest extends EmulatorTest {

    static EbsAsyncClient ebs() {
        return sdk.ebs(US_EAST_1);
    }

    static void put(String snap, int index, byte[] data, String checksum) {
        ebs().putSnapshotBlock(b -> b.snapshotId(snap).blockIndex(index).dataLength(data.length).checksum(checksum)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), AsyncRequestBody.fromBytes(data)).join();
    }

    @Test
    void roundTripThroughListAndGetBlocks() {
        Map<Integer, byte[]> blocks = new LinkedHashMap<>();
        blocks.put(0, Sdk.block(0));
        blocks.put(5, Sdk.block(5));
        blocks.put(2047, Sdk.block(2047));
        blocks.put(3, new byte[Sdk.BLOCK]); // an explicit zero block is still a written block
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, blocks, Map.of("fedimg:purpose", "snapshot"));

        ListSnapshotBlocksResponse listed = ebs().listSnapshotBlocks(b -> b.snapshotId(snap)).join();
        assertThat(listed.blocks()).extracting(Block::blockIndex).containsExactly(0, 3, 5, 2047);
        assertThat(listed.volumeSize()).isEqualTo(1L);
        assertThat(listed.blockSize()).isEqualTo(Sdk.BLOCK);
        for (Block block : listed.blocks()) {
            ResponseBytes<GetSnapshotBlockResponse> got = ebs().getSnapshotBlock(b -> b.snapshotId(snap)
                    .blockIndex(block.blockIndex()).blockToken(block.blockToken()), AsyncResponseTransformer.toBytes())
                    .join();
            assertThat(got.asByteArray()).isEqualTo(blocks.get(block.blockIndex()));
            assertThat(got.response().checksum()).isEqualTo(Sdk.b64(Sdk.sha256(blocks.get(block.blockIndex()))));
            assertThat(got.response().dataLength()).isEqualTo(Sdk.BLOCK);
        }
        assertAwsError(() -> ebs().getSnapshotBlock(b -> b.snapshotId(snap).blockIndex(5)
                .blockToken(listed.blocks().get(0).blockToken()), AsyncResponseTransformer.toBytes()).join(),
                "ValidationException");

        Snapshot ec2View = ec2().describeSnapshots(b -> b.snapshotIds(snap)).join().snapshots().get(0);
        assertThat(ec2View.stateAsString()).isEqualTo("completed");
        assertThat(ec2View.volumeSize()).isEqualTo(1);
        assertThat(ec2View.tags()).extracting(t -> t.key() + "=" + t.value()).containsExactly("fedimg:purpose=snapshot");
        assertThat(aws.inspect().snapshot(US_EAST_1, snap).orElseThrow().storedBlocks()).isEqualTo(3);
    }

    @Test
    void checksumsAreValidated() {
        String snap = ebs().startSnapshot(b -> b.volumeSize(1L)).join().snapshotId();
        byte[] data = Sdk.block(1);
        assertAwsError(() -> put(snap, 0, data, Sdk.b64(Sdk.sha256(Sdk.block(2)))), "ValidationException");
        assertAwsError(() -> put(snap, 2048, data, Sdk.b64(Sdk.sha256(data))), "ValidationException");
        byte[] small = new byte[4096];
        assertAwsError(() -> put(snap, 0, small, Sdk.b64(Sdk.sha256(small))), "ValidationException");
        put(snap, 0, data, Sdk.b64(Sdk.sha256(data)));
        put(snap, 1, Sdk.block(9), Sdk.b64(Sdk.sha256(Sdk.block(9))));
        // Wrong changed-blocks count, then wrong aggregate checksum (not the linear one).
        assertAwsError(() -> ebs().completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(3)).join(),
                "ValidationException");
        byte[] wrong = Sdk.sha256(concat(Sdk.sha256(Sdk.block(9)), Sdk.sha256(data)));
        assertAwsError(() -> ebs().completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(2)
                .checksum(Sdk.b64(wrong)).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)).join(), "ValidationException");
        byte[] linear = Sdk.sha256(concat(Sdk.sha256(data), Sdk.sha256(Sdk.block(9))));
        assertThat(ebs().completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(2).checksum(Sdk.b64(linear))
                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumAggregationMethod(ChecksumAggregationMethod.LINEAR)).join().statusAsString())
                .isEqualTo("completed");
        assertAwsError(() -> put(snap, 3, data, Sdk.b64(Sdk.sha256(data))), "ValidationException");
    }

    @Test
    void startSnapshotHonoursClientTokenTagsTimeoutAndEncryption() {
        StartSnapshotResponse first = ebs().startSnapshot(b -> b.volumeSize(3L).clientToken("tok-1").timeout(30)
                .description("Fedora upload").tags(Tag.builder().key("Name").value("F41").build())).join();
        StartSnapshotResponse again = ebs().startSnapshot(b -> b.volumeSize(3L).clientToken("tok-1").timeout(30)
                .description("Fedora upload").tags(Tag.builder().key("Name").value("F41").build())).join();
        assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
        assertThat(first.statusAsString()).isEqualTo("pending");
        assertThat(first.blockSize()).isEqualTo(Sdk.BLOCK);
        assertThat(first.ownerId()).isEqualTo("123456789012");
        assertThat(first.tags()).extracting(Tag::value).containsExactly("F41");
        assertAwsError(() -> ebs().startSnapshot(b -> b.volumeSize(4L).clientToken("tok-1")).join(),
                "ConflictException");
        assertAwsError(() -> ebs().startSnapshot(b -> b.volumeSize(1L).timeout(5)).join(), "ValidationException");

        StartSnapshotResponse encrypted = ebs().startSnapshot(b -> b.volumeSize(1L).encrypted(true)
                .kmsKeyArn("arn:aws:kms:us-east-1:123456789012:key/k1")).join();
        assertThat(encrypted.kmsKeyArn()).isEqualTo("arn:aws:kms:us-east-1:123456789012:key/k1");
        Snapshot s = ec2().describeSnapshots(b -> b.snapshotIds(encrypted.snapshotId())).join().snapshots().get(0);
        assertThat(s.encrypted()).isTrue();
        assertThat(s.stateAsString()).isEqualTo("pending");
        assertThat(s.progress()).isEqualTo("0%");
    }

    @Test
    void snapshotGoesPendingThenCompletedWithProgress() {
        aws.delays(Delays.builder().snapshotCompletion(Duration.ofMillis(1500)).build());
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, Map.of(0, Sdk.block(0)), Map.of());
        Snapshot pending = ec2().describeSnapshots(b -> b.snapshotIds(snap)).join().snapshots().get(0);
        assertThat(pending.stateAsString()).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(10)).until(() -> ec2().describeSnapshots(b -> b.snapshotIds(snap)).join()
                .snapshots().get(0).stateAsString().equals("completed"));
        assertThat(ec2().describeSnapshots(b -> b.snapshotIds(snap)).join().snapshots().get(0).progress())
                .isEqualTo("100%");
    }

    @Test
    void snapshotDoesNotExistRightAfterStartWhenTheFaultIsOn() {
        aws.faults().snapshotNotFoundFor(Duration.ofMillis(800));
        String snap = ebs().startSnapshot(b -> b.volumeSize(1L)).join().snapshotId();
        byte[] data = Sdk.block(4);
        assertAwsError(() -> put(snap, 0, data, Sdk.b64(Sdk.sha256(data))), "ResourceNotFoundException");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> put(snap, 0, data, Sdk.b64(Sdk.sha256(data))));
        ebs().completeSnapshot(b -> b.snapshotId(snap).changedBlocksCount(1)).join();
    }

    @Test
    void childSnapshotInheritsItsParentsBlocks() {
        String parent = sdk.uploadSnapshot(US_EAST_1, 1, Map.of(0, Sdk.block(0), 1, Sdk.block(1)), Map.of());
        String child = ebs().startSnapshot(b -> b.volumeSize(1L).parentSnapshotId(parent)).join().snapshotId();
        put(child, 1, Sdk.block(11), Sdk.b64(Sdk.sha256(Sdk.block(11))));
        ebs().completeSnapshot(b -> b.snapshotId(child).changedBlocksCount(1)).join();
        assertThat(ebs().listSnapshotBlocks(b -> b.snapshotId(child)).join().blocks()).hasSize(2);
        assertThat(ebs().listChangedBlocks(b -> b.firstSnapshotId(parent).secondSnapshotId(child)).join()
                .changedBlocks()).extracting(c -> c.blockIndex()).containsExactly(1);
    }

    @Test
    void ebsSnapshotBacksAnImageAndPaginates() {
        Map<Integer, byte[]> blocks = new LinkedHashMap<>();
        for (int i = 0; i < 150; i++) {
            blocks.put(i * 3, Sdk.block(i));
        }
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, blocks, Map.of());
        ListSnapshotBlocksResponse page1 = ebs().listSnapshotBlocks(b -> b.snapshotId(snap).maxResults(100)).join();
        assertThat(page1.blocks()).hasSize(100);
        ListSnapshotBlocksResponse page2 = ebs().listSnapshotBlocks(b -> b.snapshotId(snap).maxResults(100)
                .nextToken(page1.nextToken())).join();
        assertThat(page2.blocks()).hasSize(50);
        assertThat(page2.nextToken()).isNull();
        String ami = ec2().registerImage(Sdk.fedoraRegistration("Fedora-from-ebs", snap)).join().imageId();
        assertThat(ec2().describeImages(b -> b.imageIds(ami)).join().images().get(0).blockDeviceMappings().get(0)
                .ebs().snapshotId()).isEqualTo(snap);
        assertAwsError(() -> ec2().registerImage(Sdk.fedoraRegistration("Fedora-pending",
                ebs().startSnapshot(b -> b.volumeSize(1L)).join().snapshotId())).join(), "IncorrectState");
    }

    @Test
    void snapshotSha256CoversTheWholeLogicalVolume() throws Exception {
        String snap = sdk.uploadSnapshot(US_EAST_1, 1, Map.of(2, Sdk.block(2)), Map.of());
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 2048; i++) {
            sha.update(i == 2 ? Sdk.block(2) : new byte[Sdk.BLOCK]);
        }
        assertThat(aws.inspect().snapshotSha256(US_EAST_1, snap))
                .isEqualTo(java.util.HexFormat.of().formatHex(sha.digest()));
        assertThat(List.of(aws.inspect().callCount("PutSnapshotBlock"), aws.inspect().callCount("StartSnapshot",
                US_EAST_1))).containsExactly(1L, 1L);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
