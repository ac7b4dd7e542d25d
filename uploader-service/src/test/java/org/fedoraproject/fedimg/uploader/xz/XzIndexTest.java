package org.fedoraproject.fedimg.uploader.xz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzIndexTest {

    private static final byte[] RAW = TestImages.raw(3 * 1024 * 1024 + 777, 5);

    @Test
    void singleAndMultiBlockFilesGiveTheirUncompressedSize() throws Exception {
        assertThat(size(TestImages.xzSingleBlock(RAW))).hasValue(RAW.length);
        assertThat(size(TestImages.xzMultiBlock(RAW, 512 * 1024))).hasValue(RAW.length);
    }

    @Test
    void xzCliFilesWithSizesInTheirHeaders(@TempDir Path dir) throws Exception {
        byte[] xz = TestImages.xzCli(RAW, 1024 * 1024, dir);
        Assumptions.assumeTrue(xz != null, "the xz command is not available");
        assertThat(size(xz)).hasValue(RAW.length);
    }

    @Test
    void concatenatedStreamsAndPaddingAddUp() throws Exception {
        byte[] a = TestImages.xzSingleBlock(Arrays.copyOf(RAW, 1_000_000));
        byte[] b = TestImages.xzMultiBlock(Arrays.copyOfRange(RAW, 1_000_000, RAW.length), 300_000);
        byte[] file = new byte[a.length + 8 + b.length + 4];
        System.arraycopy(a, 0, file, 0, a.length);
        System.arraycopy(b, 0, file, a.length + 8, b.length);
        assertThat(size(file)).hasValue(RAW.length);
    }

    @Test
    void anythingElseGivesNoSize() throws Exception {
        byte[] xz = TestImages.xzMultiBlock(RAW, 512 * 1024);
        assertThat(size(Arrays.copyOf(xz, xz.length - 5))).isEmpty();
        assertThat(size(Arrays.copyOf(xz, xz.length / 2))).isEmpty();
        assertThat(size(RAW)).isEmpty();
        assertThat(size("<html>404</html>".getBytes())).isEmpty();
        assertThat(size(new byte[0])).isEmpty();
        byte[] badIndex = xz.clone();
        badIndex[xz.length - 14] ^= 0x10;
        assertThat(size(badIndex)).isEmpty();
    }

    @Test
    void readsOnlyTheEndAndTheHeader() throws Exception {
        byte[] xz = TestImages.xzMultiBlock(RAW, 256 * 1024);
        AtomicInteger bytesRead = new AtomicInteger();
        OptionalLong size = XzIndex.uncompressedSize(xz.length, (offset, length) -> {
            bytesRead.addAndGet(length);
            return Arrays.copyOfRange(xz, (int) offset, (int) offset + length);
        });
        assertThat(size).hasValue(RAW.length);
        assertThat(bytesRead.get()).isLessThan(1024);
    }

    private static OptionalLong size(byte[] file) throws Exception {
        return XzIndex.uncompressedSize(file.length, (offset, length) -> {
            if (offset < 0 || offset + length > file.length) {
                throw new java.io.EOFException("outside the file");
            }
            return Arrays.copyOfRange(file, (int) offset, (int) offset + length);
        });
    }
}
