package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.ACCOUNT;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.COMPOSED;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.HVM;

import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both directions against the commands the AMI tools run ({@code bundle.rb}, {@code unbundle.rb}):
 * {@code openssl} for RSA, AES and the signature, {@code gzip}, GNU {@code tar}.
 */
class AmiToolsCompatibilityTest {

    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    /** {@code ec2-unbundle}: the user's key opens key and IV; cat parts | openssl enc -d | gunzip | tar -x. */
    @Test
    void ourBundleUnbundlesTheAmiToolsWay() throws Exception {
        Tools.assumeInstalled("openssl", "gzip", "tar");
        byte[] image = new byte[700_000];
        new Random(4).nextBytes(image);
        Arrays.fill(image, 100_000, 600_000, (byte) 0);
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        PartStore store = new PartStore();
        BundledImage bundled = new BundleWriter(
                new BundleSpec("compat.raw", image.length, COMPOSED.getEpochSecond(), 64 * 1024, 9), keys, 2)
                .write(new java.io.ByteArrayInputStream(image), store);
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, HVM, bundled,
                keys);
        Path userKey = Files.writeString(dir.resolve("pk.pem"), TestPki.USER.pkcs1KeyPem());

        String key = decrypt(between(xml, "<user_encrypted_key algorithm=\"AES-128-CBC\">", "<"), userKey);
        String iv = decrypt(between(xml, "<user_encrypted_iv>", "<"), userKey);
        assertThat(key).matches("[0-9a-f]{32}");
        Path encrypted = dir.resolve("compat.tar.gz.enc");
        try (OutputStream out = Files.newOutputStream(encrypted)) {
            for (PartInfo p : bundled.parts()) {
                out.write(store.objects.get(p.fileName()));
            }
        }
        Path gz = dir.resolve("compat.tar.gz");
        Tools.ok(null, null, "openssl", "enc", "-d", "-aes-128-cbc", "-K", key, "-iv", iv, "-in", encrypted.toString(),
                "-out", gz.toString());
        Path tar = dir.resolve("compat.tar");
        Tools.ok(gz, tar, "gzip", "-dc");
        assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(tar))))
                .as("unbundle.rb compares the tar stream's sha1 with image/digest")
                .isEqualTo(between(xml, "<digest algorithm=\"SHA1\">", "<"));
        Path out = Files.createDirectory(dir.resolve("out"));
        Tools.ok(null, null, "tar", "-xf", tar.toString(), "-C", out.toString());
        assertThat(Files.readAllBytes(out.resolve("compat.raw"))).isEqualTo(image);

        // the signature: openssl's SHA-1/RSA verification over machine_configuration + image
        String signed = xml.substring(xml.indexOf("<machine_configuration>"), xml.indexOf("<signature>"));
        Path data = Files.writeString(dir.resolve("signed.xml"), signed);
        Path signature = Files.write(dir.resolve("sig.bin"), HEX.parseHex(between(xml, "<signature>", "<")));
        Path certificate = Files.writeString(dir.resolve("cert.pem"), TestPki.USER.certificatePem());
        Path publicKey = dir.resolve("pub.pem");
        Tools.ok(null, publicKey, "openssl", "x509", "-in", certificate.toString(), "-noout", "-pubkey");
        assertThat(Tools.ok(null, null, "openssl", "dgst", "-sha1", "-verify", publicKey.toString(), "-signature",
                signature.toString(), data.toString()).stdout()).contains("Verified OK");
    }

    /**
     * {@code ec2-bundle-image}: tar -S of a sparse image, gzip -9, openssl enc, split; our reader takes it. The
     * manifest is ours (ManifestWriter) but every byte of the bundle comes from the tools.
     */
    @Test
    void amiToolsStyleBundleIsReadBack() throws Exception {
        Tools.assumeInstalled("openssl", "gzip", "tar");
        Path image = dir.resolve("fedora.raw");
        byte[] expected = new byte[3 * 1024 * 1024];
        Random random = new Random(5);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(expected.length);
            for (long at : new long[] {0, 1 << 20, 2_500_000}) {
                byte[] chunk = new byte[20_000];
                random.nextBytes(chunk);
                f.seek(at);
                f.write(chunk);
                System.arraycopy(chunk, 0, expected, (int) at, chunk.length);
            }
        }
        Path tar = dir.resolve("fedora.tar");
        Tools.ok(null, null, "tar", "--format=gnu", "-S", "--owner", "0", "--group", "0", "-cf", tar.toString(), "-C",
                dir.toString(), "fedora.raw");
        Path gz = dir.resolve("fedora.tar.gz");
        Tools.ok(tar, gz, "gzip", "-9", "-c");
        byte[] key = new byte[16];
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(key);
        new SecureRandom().nextBytes(iv);
        Path encrypted = dir.resolve("fedora.tar.gz.enc");
        Tools.ok(null, null, "openssl", "enc", "-e", "-aes-128-cbc", "-K", HEX.formatHex(key), "-iv", HEX.formatHex(iv),
                "-in", gz.toString(), "-out", encrypted.toString());

        byte[] bundle = Files.readAllBytes(encrypted);
        PartStore store = new PartStore();
        List<PartInfo> parts = new ArrayList<>();
        int partSize = 8 * 1024;
        for (int at = 0, i = 0; at < bundle.length; at += partSize, i++) {
            byte[] part = Arrays.copyOfRange(bundle, at, Math.min(bundle.length, at + partSize));
            String name = String.format("fedora.raw.part.%03d", i); // the AMI tools pad to the count's width
            store.objects.put(name, part);
            parts.add(new PartInfo(i, name, HEX.formatHex(MessageDigest.getInstance("SHA-1").digest(part))));
        }
        BundledImage made = new BundledImage("fedora.raw", expected.length,
                HEX.formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(tar))), bundle.length, parts);
        BundleKeys keys = BundleKeys.of(key, iv);
        String xml = new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, HVM, made, keys);
        BundleManifest manifest = BundleManifest.read(xml.getBytes(StandardCharsets.UTF_8), TestPki.USER.cert());

        assertThat((char) Files.readAllBytes(tar)[TarHeaders.TYPEFLAG]).isEqualTo('S');
        assertThat(BundleRoundTripTest.readAll(manifest, manifest.ec2Keys(TestPki.EC2.keys().getPrivate()), store))
                .isEqualTo(expected);
    }

    private String decrypt(String hex, Path privateKey) throws Exception {
        Path in = Files.write(dir.resolve("sealed.bin"), HEX.parseHex(hex));
        return Tools.ok(null, null, "openssl", "pkeyutl", "-decrypt", "-inkey", privateKey.toString(), "-in",
                in.toString()).stdout();
    }

    private static String between(String s, String start, String end) {
        int from = s.indexOf(start) + start.length();
        return s.substring(from, s.indexOf(end, from));
    }
}
