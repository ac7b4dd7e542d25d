package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

class BundleRoundTripTest {

    static final String ACCOUNT = "123456789012";
    static final Instant COMPOSED = Instant.parse("2025-04-01T08:00:00Z");
    static final MachineConfiguration HVM = MachineConfiguration.hvm("x86_64",
            Map.of("ami", "sda1", "root", "/dev/sda1", "ephemeral0", "sdb"));

    @Test
    void smallImageComesBackByteForByte() throws Exception {
        byte[] image = new byte[300_000];
        new SecureRandom().nextBytes(image);
        System.arraycopy("Fedora".getBytes(StandardCharsets.US_ASCII), 0, image, 0, 6);
        BundleSpec spec = BundleSpec.of("Fedora-Cloud-Base-AmazonEC2.x86_64-42-1.1.raw", image.length, COMPOSED);
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        PartStore store = new PartStore();

        BundledImage bundled = new BundleWriter(spec, keys, 2).write(new ByteArrayInputStream(image), store);
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials())
                .write(ACCOUNT, HVM, bundled, keys);
        BundleManifest manifest = BundleManifest.read(xml.getBytes(StandardCharsets.UTF_8), TestPki.USER.cert());

        assertThat(bundled.parts()).singleElement().satisfies(p -> {
            assertThat(p.fileName()).isEqualTo(spec.name() + ".part.00");
            assertThat(p.sha1Hex()).isEqualTo(sha1(store.objects.get(p.fileName())));
        });
        assertThat(bundled.bundledSize()).isEqualTo(store.totalBytes());
        assertThat(bundled.bundledSize() % 16).as("whole AES blocks").isZero();
        assertThat(manifest.name()).isEqualTo(spec.name());
        assertThat(manifest.user()).isEqualTo(ACCOUNT);
        assertThat(manifest.type()).isEqualTo("machine");
        assertThat(manifest.imageSize()).isEqualTo(image.length);
        assertThat(manifest.bundledSize()).isEqualTo(bundled.bundledSize());
        assertThat(manifest.imageDigestSha1Hex()).isEqualTo(bundled.imageDigestSha1Hex());
        assertThat(manifest.parts()).isEqualTo(bundled.parts());
        assertThat(manifest.machine()).isEqualTo(HVM);
        assertThat(manifest.ec2Keys(TestPki.EC2.keys().getPrivate())).isEqualTo(keys);
        assertThat(manifest.userKeys(TestPki.USER.keys().getPrivate())).isEqualTo(keys);

        assertThat(readAll(manifest, keys, store)).isEqualTo(image);
    }

    @Test
    void paravirtualManifestCarriesItsKernel() throws Exception {
        MachineConfiguration pv = MachineConfiguration.paravirtual("x86_64", "aki-919dcaf8",
                Map.of("ami", "sda1", "root", "/dev/sda1"));
        byte[] image = "a tiny paravirtual image".getBytes(StandardCharsets.US_ASCII);
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        PartStore store = new PartStore();
        BundledImage bundled = new BundleWriter(BundleSpec.of("pv.raw", image.length, COMPOSED), keys, 1)
                .write(new ByteArrayInputStream(image), store);
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, pv, bundled,
                keys);

        assertThat(xml).contains("<kernel_id>aki-919dcaf8</kernel_id>")
                .contains("<block_device_mapping><mapping><virtual>ami</virtual><device>sda1</device></mapping>"
                        + "<mapping><virtual>root</virtual><device>/dev/sda1</device></mapping></block_device_mapping>");
        BundleManifest manifest = BundleManifest.read(xml.getBytes(StandardCharsets.UTF_8), TestPki.USER.cert());
        assertThat(manifest.machine()).isEqualTo(pv);
        assertThat(readAll(manifest, manifest.ec2Keys(TestPki.EC2.keys().getPrivate()), store)).isEqualTo(image);
    }

    @Test
    void emptyImageIsAValidBundle() throws Exception {
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        PartStore store = new PartStore();
        BundledImage bundled = new BundleWriter(BundleSpec.of("empty.raw", 0, COMPOSED), keys, 1)
                .write(InputStream.nullInputStream(), store);
        BundleManifest manifest = read(bundled, keys);

        assertThat(readAll(manifest, keys, store)).isEmpty();
    }

    /**
     * Some tens of MiB, mostly zero blocks, through real 10 MiB parts and through 256 KiB parts uploaded
     * asynchronously: the reassembled image has the source's SHA-256, and never more parts were in flight
     * than allowed.
     */
    @Test
    void multiPartImageStreamsThroughBoundedAsyncUploads() throws Exception {
        long size = 40L * 1024 * 1024 + 12_345; // not a multiple of any block size
        ExecutorService uploads = Executors.newFixedThreadPool(3);
        try {
            for (int partSize : new int[] {BundleSpec.PART_SIZE, 256 * 1024}) {
                TestImages.Generated image = TestImages.mostlyZeros(size, partSize == BundleSpec.PART_SIZE ? 3 : 16, 7);
                BundleSpec spec = new BundleSpec("multi.raw", size, COMPOSED.getEpochSecond(), partSize,
                        BundleSpec.GZIP_LEVEL);
                BundleKeys keys = BundleKeys.random(new SecureRandom());
                PartStore store = new PartStore(uploads);

                BundledImage bundled = new BundleWriter(spec, keys, 2).write(image, store);
                BundleManifest manifest = read(bundled, keys);

                assertThat(bundled.parts()).hasSizeGreaterThan(1);
                assertThat(store.objects).hasSize(bundled.parts().size());
                assertThat(store.inFlight).hasValue(0);
                assertThat(store.maxInFlight.get()).isBetween(1, 2);
                for (PartInfo p : bundled.parts()) {
                    int length = store.objects.get(p.fileName()).length;
                    if (p.index() < bundled.parts().size() - 1) {
                        assertThat(length).as(p.fileName()).isEqualTo(partSize);
                    }
                }
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                long read = 0;
                try (InputStream in = BundleReader.open(manifest, keys, store)) {
                    byte[] buffer = new byte[100_000];
                    for (int n; (n = in.read(buffer)) >= 0;) {
                        sha256.update(buffer, 0, n);
                        read += n;
                    }
                }
                assertThat(read).isEqualTo(size);
                assertThat(HexFormat.of().formatHex(sha256.digest())).isEqualTo(image.sha256Hex());
            }
        } finally {
            uploads.shutdownNow();
        }
    }

    @Test
    void manifestHasTheAmiToolsLayout() throws Exception {
        byte[] image = new byte[1000];
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        BundledImage bundled = new BundleWriter(BundleSpec.of("layout.raw", image.length, COMPOSED), keys, 1)
                .write(new ByteArrayInputStream(image), new PartStore());
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, HVM, bundled,
                keys);

        assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest><version>2007-10-10</version>"
                + "<bundler><name>fedimg</name><version>1.0</version><release>0</release></bundler>"
                + "<machine_configuration><architecture>x86_64</architecture>");
        assertThat(xml).containsSubsequence("<image><name>layout.raw</name><user>123456789012</user><type>machine</type>",
                "<digest algorithm=\"SHA1\">" + bundled.imageDigestSha1Hex() + "</digest><size>1000</size>",
                "<bundled_size>" + bundled.bundledSize() + "</bundled_size>",
                "<ec2_encrypted_key algorithm=\"AES-128-CBC\">", "<user_encrypted_key algorithm=\"AES-128-CBC\">",
                "<ec2_encrypted_iv>", "<user_encrypted_iv>",
                "<parts count=\"1\"><part index=\"0\"><filename>layout.raw.part.00</filename><digest algorithm=\"SHA1\">",
                "</parts></image><signature>", "</signature></manifest>\n");
    }

    static BundleManifest read(BundledImage bundled, BundleKeys keys) throws IOException {
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, HVM, bundled,
                keys);
        return BundleManifest.read(xml.getBytes(StandardCharsets.UTF_8), TestPki.USER.cert());
    }

    static byte[] readAll(BundleManifest manifest, BundleKeys keys, PartSource parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = BundleReader.open(manifest, keys, parts)) {
            in.transferTo(out);
        }
        return out.toByteArray();
    }

    static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }
}
