package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.ACCOUNT;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.COMPOSED;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.HVM;
import static org.fedoraproject.fedimg.bundle.BundleRoundTripTest.readAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each way a bundle can be wrong is refused with its own exception. */
class BundleRefusalTest {

    private BundleKeys keys;
    private PartStore store;
    private BundledImage bundled;
    private String xml;

    @BeforeEach
    void bundle() throws IOException {
        keys = BundleKeys.random(new SecureRandom());
        store = new PartStore();
        // mostly random, so that 16 KiB parts give several of them
        TestImages.Generated image = TestImages.mostlyZeros(100_000, 1, 3);
        bundled = new BundleWriter(new BundleSpec("refused.raw", 100_000, COMPOSED.getEpochSecond(), 16 * 1024, 1),
                keys, 1).write(image, store);
        xml = manifest(bundled);
        assertThat(bundled.parts()).hasSizeGreaterThan(3);
    }

    @Test
    void tamperedPartIsRefusedWithItsIndex() throws Exception {
        store.objects.get("refused.raw.part.02")[100] ^= 1;

        assertThatThrownBy(() -> readAll(verified(xml), keys, store))
                .isInstanceOfSatisfying(PartDigestMismatchException.class, e -> {
                    assertThat(e.index()).isEqualTo(2);
                    assertThat(e.fileName()).isEqualTo("refused.raw.part.02");
                });
    }

    @Test
    void refusedImageStaysRefused() throws Exception {
        store.objects.get("refused.raw.part.01")[0] ^= 1;
        java.io.InputStream in = BundleReader.open(verified(xml), keys, store);
        byte[] buffer = new byte[1 << 20];

        assertThatThrownBy(() -> in.readNBytes(buffer, 0, buffer.length))
                .isInstanceOf(PartDigestMismatchException.class);
        assertThatThrownBy(() -> in.read(buffer)).isInstanceOf(PartDigestMismatchException.class);
    }

    @Test
    void truncatedPartIsRefused() throws Exception {
        byte[] part = store.objects.get("refused.raw.part.01");
        store.objects.put("refused.raw.part.01", Arrays.copyOf(part, part.length - 16));

        assertThatThrownBy(() -> readAll(verified(xml), keys, store))
                .isInstanceOfSatisfying(PartDigestMismatchException.class, e -> assertThat(e.index()).isEqualTo(1));
    }

    @Test
    void missingPartIsRefused() throws Exception {
        store.objects.remove("refused.raw.part.03");

        assertThatThrownBy(() -> readAll(verified(xml), keys, store))
                .isInstanceOfSatisfying(MissingPartException.class, e -> {
                    assertThat(e.index()).isEqualTo(3);
                    assertThat(e).hasMessageContaining("refused.raw.part.03");
                });
    }

    @Test
    void changedManifestFailsItsSignature() {
        String changed = xml.replace("<size>100000</size>", "<size>100001</size>");
        assertThat(changed).isNotEqualTo(xml);

        assertThatThrownBy(() -> verified(changed)).isInstanceOf(SignatureMismatchException.class)
                .hasMessageContaining("CN=fedimg-user");
    }

    @Test
    void manifestSignedByAnotherKeyFailsItsSignature() {
        assertThatThrownBy(() -> BundleManifest.read(bytes(xml), TestPki.OTHER_USER.cert()))
                .isInstanceOf(SignatureMismatchException.class);
    }

    @Test
    void manifestForAnotherEc2CertificateIsRefused() throws Exception {
        BundleManifest manifest = verified(xml);

        assertThatThrownBy(() -> manifest.ec2Keys(TestPki.OTHER_EC2.keys().getPrivate()))
                .isInstanceOf(WrongCertificateException.class).hasMessageContaining("not encrypted for this private key");
        assertThatThrownBy(() -> manifest.userKeys(TestPki.OTHER_USER.keys().getPrivate()))
                .isInstanceOf(WrongCertificateException.class);
        assertThat(manifest.ec2Keys(TestPki.EC2.keys().getPrivate())).isEqualTo(keys);
    }

    /** The signed {@code <image>} hidden in a comment, an unsigned one after it: what is used must be signed. */
    @Test
    void elementOtherThanTheSignedOneIsRefused() {
        int start = xml.indexOf("<image>");
        int end = xml.indexOf("</image>") + "</image>".length();
        String signedImage = xml.substring(start, end);
        String forged = signedImage.replace("<image>", "<image >").replace(bundled.imageDigestSha1Hex(),
                "0".repeat(40));
        String attack = xml.substring(0, start) + "<!--" + signedImage + "-->" + forged + xml.substring(end);

        assertThatThrownBy(() -> verified(attack)).isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("not the text that was signed");
    }

    @Test
    void malformedManifestsAreRefused() {
        assertThatThrownBy(() -> verified("<manifest><version>2007-10-10</version>"))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> verified(xml.replace("<version>2007-10-10</version>", "<version>2007-08-29</version>")))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("2007-08-29 is not supported");
        String doctype = xml.replace("<manifest>",
                "<!DOCTYPE manifest [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><manifest>");
        assertThatThrownBy(() -> verified(doctype)).isInstanceOf(InvalidManifestException.class);
        assertThatThrownBy(() -> BundleManifest.read(new byte[] {(byte) 0xff, (byte) 0xfe}, TestPki.USER.cert()))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void partNamesThatAreNotPlainFileNamesAreRefused() {
        String traversal = manifest(new BundledImage(bundled.name(), bundled.imageSize(), bundled.imageDigestSha1Hex(),
                bundled.bundledSize(), List.of(new PartInfo(0, "../other/secret", "0".repeat(40)))));

        assertThatThrownBy(() -> verified(traversal)).isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("not a plain file name");
    }

    /** Validly signed, every part intact, and still wrong: caught by the checks at the stream's ends. */
    @Test
    void signedButInconsistentBundlesAreCorrupt() {
        BundledImage wrongDigest = new BundledImage(bundled.name(), bundled.imageSize(), "f".repeat(40),
                bundled.bundledSize(), bundled.parts());
        assertThatThrownBy(() -> readAll(verified(manifest(wrongDigest)), keys, store))
                .isInstanceOf(CorruptBundleException.class).hasMessageContaining("image digest");

        BundledImage wrongSize = new BundledImage(bundled.name(), bundled.imageSize() + 1,
                bundled.imageDigestSha1Hex(), bundled.bundledSize(), bundled.parts());
        assertThatThrownBy(() -> readAll(verified(manifest(wrongSize)), keys, store))
                .isInstanceOf(CorruptBundleException.class).hasMessageContaining("holds 100000 bytes");

        BundledImage wrongBundledSize = new BundledImage(bundled.name(), bundled.imageSize(),
                bundled.imageDigestSha1Hex(), bundled.bundledSize() + 16, bundled.parts());
        assertThatThrownBy(() -> readAll(verified(manifest(wrongBundledSize)), keys, store))
                .isInstanceOf(CorruptBundleException.class).hasMessageContaining("bundled_size");

        BundledImage lastPartDropped = new BundledImage(bundled.name(), bundled.imageSize(),
                bundled.imageDigestSha1Hex(), bundled.bundledSize(), bundled.parts().subList(0, bundled.parts().size() - 1));
        assertThatThrownBy(() -> readAll(verified(manifest(lastPartDropped)), keys, store))
                .isInstanceOf(CorruptBundleException.class);
    }

    @Test
    void wrongKeysGiveACorruptBundle() {
        assertThatThrownBy(() -> readAll(verified(xml), BundleKeys.random(new SecureRandom()), store))
                .isInstanceOf(CorruptBundleException.class);
    }

    @Test
    void partLargerThanTheLimitIsRefusedWithoutBufferingIt() throws Exception {
        BundleManifest manifest = verified(xml);

        assertThatThrownBy(() -> BundleReader.open(manifest, keys, store, 4096).readAllBytes())
                .isInstanceOf(CorruptBundleException.class).hasMessageContaining("larger than 4096 bytes");
    }

    private String manifest(BundledImage image) {
        return new ManifestWriter(TestPki.EC2.cert(), TestPki.USER.credentials()).write(ACCOUNT, HVM, image, keys);
    }

    private static BundleManifest verified(String manifest) throws IOException {
        return BundleManifest.read(bytes(manifest), TestPki.USER.cert());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
