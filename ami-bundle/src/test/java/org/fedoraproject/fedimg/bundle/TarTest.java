package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar layer on its own, against GNU tar where it is installed. */
class TarTest {

    private static final long NINE_GIB = 9L * 1024 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void sizesBelow8GibAreOctalAndFromThereBase256() {
        byte[] small = TarHeaders.regularFile("a", TarHeaders.MAX_OCTAL_11, 0);
        assertThat(new String(small, TarHeaders.SIZE, 12, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("77777777777\0");

        byte[] big = TarHeaders.regularFile("a", NINE_GIB, 0);
        // 0x80, then 9 GiB = 0x2_4000_0000 big-endian in the remaining 11 bytes
        assertThat(HexFormat.of().formatHex(big, TarHeaders.SIZE, TarHeaders.SIZE + 12))
                .isEqualTo("800000000000000240000000");

        for (long v : new long[] {0, 1, 511, TarHeaders.MAX_OCTAL_11, TarHeaders.MAX_OCTAL_11 + 1, NINE_GIB,
                1L << 40, Long.MAX_VALUE}) {
            byte[] h = new byte[512];
            TarHeaders.putNumber(h, TarHeaders.SIZE, 12, v);
            assertThat(TarHeaders.parseNumber(h, TarHeaders.SIZE, 12)).as("%d", v).isEqualTo(v);
        }
        assertThat(TarHeaders.checksumMatches(small)).isTrue();
        assertThat(TarHeaders.checksumMatches(big)).isTrue();
        big[0] ^= 1;
        assertThat(TarHeaders.checksumMatches(big)).isFalse();
    }

    @Test
    void octalFieldsInTheirVariousSpellingsParse() {
        byte[] h = new byte[512];
        System.arraycopy("  1234 \0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 100, 8);
        assertThat(TarHeaders.parseNumber(h, 100, 8)).isEqualTo(01234);
        System.arraycopy("000000000012".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, h, 124, 12);
        assertThat(TarHeaders.parseNumber(h, 124, 12)).isEqualTo(012);
        h[124] = 'x';
        assertThatThrownBy(() -> TarHeaders.parseNumber(h, 124, 12)).isInstanceOf(IllegalArgumentException.class);
        h[124] = (byte) 0xff; // negative base-256
        assertThatThrownBy(() -> TarHeaders.parseNumber(h, 124, 12)).isInstanceOf(IllegalArgumentException.class);
    }

    /** What GNU tar makes of our header for a 9 GiB image: the listing shows the full size. */
    @Test
    void gnuTarReadsOurBase256Size() throws Exception {
        Tools.assumeInstalled("tar");
        Path archive = dir.resolve("head.tar");
        byte[] header = TarHeaders.regularFile("Fedora-Cloud-Base-9G.raw", NINE_GIB, 1_743_494_400L);
        Files.write(archive, concat(header, new byte[TarHeaders.BLOCK]));

        Tools.Result r = Tools.run(null, null, "tar", "--numeric-owner", "-tvf", archive.toString());

        // the data is cut short, so tar fails, but only after listing the entry from its header
        assertThat(r.stdout()).contains(" 0/0 ").contains(Long.toString(NINE_GIB))
                .contains("Fedora-Cloud-Base-9G.raw");
    }

    @Test
    void ourArchiveExtractsWithGnuTar() throws Exception {
        Tools.assumeInstalled("tar");
        byte[] data = new byte[100_000];
        new Random(1).nextBytes(data);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarOutput out = new TarOutput(tar, "disk.raw", data.length, 1_743_494_400L)) {
            out.write(data, 0, 60_000);
            out.write(data, 60_000, 40_000);
        }
        assertThat(tar.size() % TarHeaders.RECORD).isZero();
        Path archive = Files.write(dir.resolve("ours.tar"), tar.toByteArray());
        Path out = Files.createDirectory(dir.resolve("out"));

        Tools.ok(null, null, "tar", "-xf", archive.toString(), "-C", out.toString());

        assertThat(Files.readAllBytes(out.resolve("disk.raw"))).isEqualTo(data);
    }

    /** {@code tar -S}, as {@code ec2-bundle-image} runs it: old GNU sparse entries, extension blocks and all. */
    @Test
    void gnuTarSparseArchiveExpandsToTheFile() throws Exception {
        Tools.assumeInstalled("tar");
        assumeSparseFiles();
        Path file = dir.resolve("sparse.raw");
        byte[] expected = new byte[5 * 1024 * 1024];
        Random random = new Random(2);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(expected.length);
            for (int i = 0; i < 30; i++) { // 30 data chunks: 4 in the header, the rest in extension blocks
                byte[] chunk = new byte[4096 + random.nextInt(4096)];
                random.nextBytes(chunk);
                long at = (long) i * (expected.length / 30) + 8192;
                f.seek(at);
                f.write(chunk);
                System.arraycopy(chunk, 0, expected, (int) at, chunk.length);
            }
        }
        Path archive = dir.resolve("sparse.tar");
        Tools.ok(null, null, "tar", "--format=gnu", "-S", "-cf", archive.toString(), "-C", dir.toString(),
                "sparse.raw");
        byte[] tar = Files.readAllBytes(archive);
        assertThat((char) tar[TarHeaders.TYPEFLAG]).as("GNU sparse entry").isEqualTo('S');
        assertThat(tar[TarHeaders.IS_EXTENDED]).as("map continues in extension blocks").isNotZero();

        TarImageReader reader = new TarImageReader(new ByteArrayInputStream(tar));
        assertThat(reader.open()).isEqualTo(expected.length);
        assertThat(reader.name()).isEqualTo("sparse.raw");
        assertThat(readAll(reader)).isEqualTo(expected);
        reader.readEnd();
    }

    /** GNU tar's own header for a 9 GiB sparse file: base-256 real size; the data lands where it belongs. */
    @Test
    void gnuTarBase256RealSizeIsRead() throws Exception {
        Tools.assumeInstalled("tar");
        assumeSparseFiles();
        Path file = dir.resolve("big.raw");
        byte[] head = "bootloader".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(NINE_GIB);
            f.write(head);
            f.seek(NINE_GIB - 4096);
            f.write(new byte[] {1, 2, 3});
        }
        Path archive = dir.resolve("big.tar");
        Tools.ok(null, null, "tar", "--format=gnu", "-S", "-cf", archive.toString(), "-C", dir.toString(), "big.raw");

        TarImageReader reader = new TarImageReader(Files.newInputStream(archive));
        assertThat(reader.open()).isEqualTo(NINE_GIB);
        byte[] start = new byte[head.length];
        assertThat(reader.read(start, 0, start.length)).isEqualTo(head.length);
        assertThat(start).isEqualTo(head);
    }

    @Test
    void paxPathAndSizeRecordsAreHonouredAndPaxSparseIsRefused() throws Exception {
        Tools.assumeInstalled("tar");
        String longName = "Fedora-Cloud-Base-AmazonEC2.x86_64-42-20250401.n.0-with-a-name-well-beyond-the-hundred-bytes"
                + "-of-ustar.raw";
        byte[] data = new byte[3000];
        new Random(3).nextBytes(data);
        Files.write(dir.resolve(longName), data);
        Path archive = dir.resolve("pax.tar");
        Tools.ok(null, null, "tar", "--format=posix", "-cf", archive.toString(), "-C", dir.toString(), longName);

        TarImageReader reader = new TarImageReader(Files.newInputStream(archive));
        assertThat(reader.open()).isEqualTo(data.length);
        assertThat(reader.name()).isEqualTo(longName);
        assertThat(readAll(reader)).isEqualTo(data);
        reader.readEnd();

        assumeSparseFiles();
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("holey.raw").toFile(), "rw")) {
            f.setLength(1 << 20);
            f.write(data);
        }
        Path paxSparse = dir.resolve("pax-sparse.tar");
        Tools.ok(null, null, "tar", "--format=posix", "-S", "-cf", paxSparse.toString(), "-C", dir.toString(),
                "holey.raw");
        assertThatThrownBy(() -> new TarImageReader(Files.newInputStream(paxSparse)).open())
                .isInstanceOf(CorruptBundleException.class).hasMessageContaining("PAX sparse");
    }

    @Test
    void anArchiveWithASecondFileIsRefused() throws Exception {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.write(TarHeaders.regularFile("one", 1, 0));
        tar.write(new byte[TarHeaders.BLOCK]);
        tar.write(TarHeaders.regularFile("two", 1, 0));
        tar.write(new byte[TarHeaders.BLOCK * 3]);
        TarImageReader reader = new TarImageReader(new ByteArrayInputStream(tar.toByteArray()));
        assertThat(reader.open()).isEqualTo(1);
        assertThat(readAll(reader)).hasSize(1);

        assertThatThrownBy(reader::readEnd).isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("more than the image file");
    }

    private void assumeSparseFiles() throws IOException {
        String type = Files.getFileStore(dir).type();
        assumeTrue(Set.of("ext4", "xfs", "btrfs", "tmpfs", "zfs").contains(type),
                "the temporary directory's file system (" + type + ") may not keep holes");
    }

    private static byte[] readAll(TarImageReader reader) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[70_000];
        for (int n; (n = reader.read(b, 0, b.length)) >= 0;) {
            out.write(b, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

}
