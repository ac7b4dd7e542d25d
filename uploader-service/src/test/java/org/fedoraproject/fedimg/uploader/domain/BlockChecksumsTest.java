package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class BlockChecksumsTest {

    @Test
    void linearAggregateIsTheHashOfDigestsInBlockOrder() throws Exception {
        byte[] a = BlockChecksums.sha256(new byte[] {1}, 0, 1);
        byte[] b = BlockChecksums.sha256(new byte[] {2}, 0, 1);
        byte[] c = BlockChecksums.sha256(new byte[] {3}, 0, 1);
        BlockChecksums sums = new BlockChecksums();
        sums.add(7, c);
        sums.add(0, a);
        sums.add(3, b);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(a);
        sha.update(b);
        sha.update(c);
        assertThat(sums.linearAggregate()).isEqualTo(Base64.getEncoder().encodeToString(sha.digest()));
        assertThat(sums.count()).isEqualTo(3);
    }

    @Test
    void zeroBlocksAreRecognised() {
        byte[] block = new byte[BlockChecksums.BLOCK_SIZE];
        assertThat(BlockChecksums.isZero(block, block.length)).isTrue();
        block[block.length - 1] = 1;
        assertThat(BlockChecksums.isZero(block, block.length)).isFalse();
        block[block.length - 1] = 0;
        block[70_000] = 9;
        assertThat(BlockChecksums.isZero(block, block.length)).isFalse();
    }

    @Test
    void blockDigestIsBase64Sha256() {
        byte[] block = new byte[BlockChecksums.BLOCK_SIZE];
        block[0] = 42;
        assertThat(Base64.getDecoder().decode(BlockChecksums.base64(BlockChecksums.sha256(block, 0, block.length))))
                .hasSize(32);
    }

    @Test
    void volumeSizeRoundsUpToWholeGib() {
        assertThat(VolumeSize.gibFor(1, 1)).isEqualTo(1);
        assertThat(VolumeSize.gibFor(VolumeSize.GIB, 1)).isEqualTo(1);
        assertThat(VolumeSize.gibFor(VolumeSize.GIB + 1, 1)).isEqualTo(2);
        assertThat(VolumeSize.gibFor(3 * VolumeSize.GIB, 7)).isEqualTo(7);
    }
}
