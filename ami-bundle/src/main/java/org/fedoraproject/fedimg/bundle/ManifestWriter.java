package org.fedoraproject.fedimg.bundle;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes the 2007-10-10 manifest of a bundle ({@code manifestv20071010.rb}): element order as the AMI tools
 * write it, key and IV sealed for the EC2 service's certificate and for the user's, and the signature — SHA-1
 * with RSA by the user's key — over the text of {@code <machine_configuration>…</machine_configuration>}
 * followed by {@code <image>…</image>}, exactly as they appear in the document.
 */
public final class ManifestWriter {

    public static final String VERSION = "2007-10-10";
    static final String BUNDLER_NAME = "fedimg";
    static final String BUNDLER_VERSION = "1.0";
    static final String BUNDLER_RELEASE = "0";
    static final String DIGEST_ALGORITHM = "SHA1";
    static final String CIPHER_ALGORITHM = "AES-128-CBC";
    static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private final X509Certificate ec2Certificate;
    private final UserCredentials user;

    /**
     * @param ec2Certificate the EC2 service's certificate for the target partition ({@code cert-ec2.pem} of the
     *     AMI tools), or the emulator's
     */
    public ManifestWriter(X509Certificate ec2Certificate, UserCredentials user) {
        this.ec2Certificate = Objects.requireNonNull(ec2Certificate, "ec2Certificate");
        this.user = Objects.requireNonNull(user, "user");
    }

    /**
     * @param accountId the 12-digit account the AMI is registered in ({@code image/user})
     */
    public String write(String accountId, MachineConfiguration machine, BundledImage image, BundleKeys keys) {
        if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
            throw new IllegalArgumentException("account id must be 12 digits: " + accountId);
        }
        String machineXml = machineConfiguration(machine);
        String imageXml = image(accountId, image, keys);
        byte[] signature = Rsa.signManifest(user.privateKey(),
                (machineXml + imageXml).getBytes(StandardCharsets.UTF_8));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new Xml().open("manifest")
                .element("version", VERSION)
                .open("bundler")
                .element("name", BUNDLER_NAME)
                .element("version", BUNDLER_VERSION)
                .element("release", BUNDLER_RELEASE)
                .close("bundler")
                + machineXml + imageXml
                + new Xml().element("signature", HexFormat.of().formatHex(signature)).close("manifest") + "\n";
    }

    private static String machineConfiguration(MachineConfiguration machine) {
        Xml x = new Xml().open("machine_configuration").element("architecture", machine.architecture());
        if (!machine.blockDeviceMapping().isEmpty()) {
            x.open("block_device_mapping");
            for (Map.Entry<String, String> m : machine.blockDeviceMapping().entrySet()) {
                x.open("mapping").element("virtual", m.getKey()).element("device", m.getValue()).close("mapping");
            }
            x.close("block_device_mapping");
        }
        if (machine.kernelId() != null) {
            x.element("kernel_id", machine.kernelId());
        }
        if (machine.ramdiskId() != null) {
            x.element("ramdisk_id", machine.ramdiskId());
        }
        return x.close("machine_configuration").toString();
    }

    private String image(String accountId, BundledImage image, BundleKeys keys) {
        BundleKeys.Sealed forEc2 = keys.sealFor(ec2Certificate.getPublicKey());
        BundleKeys.Sealed forUser = keys.sealFor(user.certificate().getPublicKey());
        Xml x = new Xml().open("image")
                .element("name", image.name())
                .element("user", accountId)
                .element("type", "machine") // EC2 wants type right after user (euca2ools' manifest.py)
                .element("digest", "algorithm", DIGEST_ALGORITHM, image.imageDigestSha1Hex())
                .element("size", Long.toString(image.imageSize()))
                .element("bundled_size", Long.toString(image.bundledSize()))
                .element("ec2_encrypted_key", "algorithm", CIPHER_ALGORITHM, forEc2.key())
                .element("user_encrypted_key", "algorithm", CIPHER_ALGORITHM, forUser.key())
                .element("ec2_encrypted_iv", forEc2.iv())
                .element("user_encrypted_iv", forUser.iv())
                .open("parts", "count", Integer.toString(image.parts().size()));
        for (PartInfo p : image.parts()) {
            x.open("part", "index", Integer.toString(p.index()))
                    .element("filename", p.fileName())
                    .element("digest", "algorithm", DIGEST_ALGORITHM, p.sha1Hex())
                    .close("part");
        }
        return x.close("parts").close("image").toString();
    }
}
