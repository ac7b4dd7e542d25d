package org.fedoraproject.fedimg.uploader.xz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tukaani.xz.XZ;

/** The decoder's contract, run once per LZMA2 implementation ({@link JavaDecoderTest}, {@link LiblzmaDecoderTest}). */
abstract class ParallelXzInputStreamTest {

    private final XzDecoder decoder;

    ParallelXzInputStreamTest(XzDecoder decoder) {
        this.decoder = decoder;
    }

    private static final byte[] RAW = TestImages.raw(6 * 1024 * 1024 + 12345, 42);
    private static final byte[] SMALL = TestImages.raw(1024 * 1024 + 77, 43);

    @Test
    void decodesSingleBlock() throws IOException {
        assertThat(decode(TestImages.xzSingleBlock(RAW), 2)).isEqualTo(RAW);
    }

    @Test
    void decodesMultiBlockWithoutSizesInHeadersInOrder() throws IOException {
        byte[] xz = TestImages.xzMultiBlock(RAW, 700 * 1024);
        assertThat(decode(xz, 2)).isEqualTo(RAW);
        assertThat(decode(xz, 1)).isEqualTo(RAW);
        assertThat(decode(xz, 4)).isEqualTo(RAW);
    }

    @Test
    void boundsBufferingWithTinyBuffers() throws IOException {
        byte[] xz = TestImages.xzMultiBlock(RAW, 1024 * 1024);
        try (InputStream in = ParallelXzInputStream.open(new ByteArrayInputStream(xz), 3, 1, decoder)) {
            // read in odd-sized pieces so chunk boundaries and block boundaries do not line up
            byte[] out = new byte[RAW.length];
            int off = 0;
            while (off < out.length) {
                int n = in.read(out, off, Math.min(77_777, out.length - off));
                assertThat(n).isPositive();
                off += n;
            }
            assertThat(in.read()).isEqualTo(-1);
            assertThat(out).isEqualTo(RAW);
        }
    }

    @Test
    void decodesXzCliMultiBlockWithSizesInHeaders(@TempDir Path dir) throws IOException {
        byte[] xz = TestImages.xzCli(RAW, 1024 * 1024, dir);
        Assumptions.assumeTrue(xz != null, "the xz command is not available");
        assertThat(decode(xz, 2)).isEqualTo(RAW);
    }

    @Test
    void decodesConcatenatedStreamsWithPadding() throws IOException {
        byte[] a = TestImages.xzSingleBlock(Arrays.copyOf(RAW, 1_000_000));
        byte[] b = TestImages.xzMultiBlock(Arrays.copyOfRange(RAW, 1_000_000, RAW.length), 512 * 1024);
        byte[] both = new byte[a.length + 8 + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length + 8, b.length);
        assertThat(decode(both, 2)).isEqualTo(RAW);
    }

    @Test
    void fallsBackToSequentialForBcjFilterChains() throws IOException {
        assertThat(decode(TestImages.xzWithBcj(RAW), 2)).isEqualTo(RAW);
    }

    @Test
    void truncatedFileIsTruncatedXz() {
        byte[] xz = TestImages.xzMultiBlock(RAW, 700 * 1024);
        for (int cut : new int[] {13, xz.length / 3, xz.length / 2, xz.length - 30, xz.length - 1}) {
            assertThatThrownBy(() -> decode(Arrays.copyOf(xz, cut), 2))
                    .as("cut at %d of %d", cut, xz.length)
                    .isInstanceOfSatisfying(XzFormatException.class,
                            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TRUNCATED_XZ));
        }
        byte[] single = TestImages.xzSingleBlock(RAW);
        assertThatThrownBy(() -> decode(Arrays.copyOf(single, single.length / 2), 2))
                .isInstanceOfSatisfying(XzFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TRUNCATED_XZ));
    }

    @Test
    void otherFilesAreNotXz() {
        assertThatThrownBy(() -> decode(RAW, 2)).isInstanceOfSatisfying(XzFormatException.class,
                e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XZ));
        assertThatThrownBy(() -> decode("<html>404</html>".getBytes(), 2)).isInstanceOfSatisfying(
                XzFormatException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XZ));
        assertThatThrownBy(() -> decode(new byte[0], 2)).isInstanceOfSatisfying(XzFormatException.class,
                e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_XZ));
    }

    @Test
    void corruptedDataIsDetected() {
        byte[] xz = TestImages.xzMultiBlock(RAW, 700 * 1024);
        byte[] bad = xz.clone();
        bad[xz.length / 2] ^= 0x5A;
        assertThatThrownBy(() -> decode(bad, 2)).isInstanceOf(XzFormatException.class);
    }

    @Test
    void errorsOfTheUnderlyingStreamComeOutUnchanged() {
        byte[] xz = TestImages.xzMultiBlock(RAW, 700 * 1024);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() {
                if (pos >= xz.length / 2) {
                    throw new IllegalArgumentException("download went wrong");
                }
                return xz[pos++] & 0xFF;
            }
        };
        assertThatThrownBy(() -> {
            try (InputStream in = ParallelXzInputStream.open(failing, 2, 2, decoder)) {
                in.readAllBytes();
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessage("download went wrong");
    }

    @ParameterizedTest
    @ValueSource(ints = {XZ.CHECK_NONE, XZ.CHECK_CRC32, XZ.CHECK_CRC64, XZ.CHECK_SHA256})
    void verifiesEveryCheckType(int checkType) throws IOException {
        byte[] xz = TestImages.xz(SMALL, 300 * 1024, checkType);
        assertThat(decode(xz, 2)).isEqualTo(SMALL);
        if (checkType != XZ.CHECK_NONE) {
            // the last block's stored check ends where the index starts (the footer gives the index size)
            byte[] bad = xz.clone();
            long backwardSize = (XzHeaders.le32(xz, xz.length - 8) + 1) * 4;
            bad[(int) (xz.length - 12 - backwardSize - 1)] ^= 0x01;
            assertThatThrownBy(() -> decode(bad, 2)).isInstanceOfSatisfying(XzFormatException.class,
                    e -> assertThat(e).hasMessageContaining("integrity check mismatch"));
        }
    }

    private byte[] decode(byte[] xz, int threads) throws IOException {
        try (InputStream in = ParallelXzInputStream.open(new ByteArrayInputStream(xz), threads, 2, decoder)) {
            return in.readAllBytes();
        }
    }
}
