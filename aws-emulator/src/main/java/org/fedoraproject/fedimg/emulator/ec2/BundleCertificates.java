package org.fedoraproject.fedimg.emulator.ec2;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The X.509 material of instance-store bundles, as EC2 has it.
 * <ul>
 * <li>The "EC2 service" key pair and certificate ({@code cert-ec2.pem} of the AMI tools): bundles seal their key
 * for it, and only this emulator can open them. Made on first use (an RSA 2048 key takes a moment) and kept for
 * the emulator's life, resets included, so that fedimg can be configured with {@link #ec2Certificate()} once.</li>
 * <li>The account's signing certificates, AWS's legacy X.509 "signing certificates" of a user: a manifest is
 * accepted only when one of them verifies its signature. Kept across resets, as the account id is.</li>
 * </ul>
 */
public final class BundleCertificates {

    private final List<X509Certificate> signing = new CopyOnWriteArrayList<>();
    private KeyPair ec2Keys;
    private X509Certificate ec2Certificate;

    /** The certificate bundles must seal their key for ({@code ec2_encrypted_key}). */
    public synchronized X509Certificate ec2Certificate() {
        if (ec2Certificate == null) {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                ec2Keys = g.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            Instant now = Instant.now();
            ec2Certificate = SelfSignedCertificate.issue(ec2Keys, "ec2-emulator", "fedimg aws-emulator",
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)));
        }
        return ec2Certificate;
    }

    synchronized PrivateKey ec2PrivateKey() {
        ec2Certificate();
        return ec2Keys.getPrivate();
    }

    /** Registers a signing certificate of the account (an RSA certificate, as the AMI tools' format needs). */
    public void registerSigningCertificate(X509Certificate certificate) {
        if (!(certificate.getPublicKey() instanceof RSAPublicKey)) {
            throw new IllegalArgumentException("a signing certificate for bundles must hold an RSA key, not "
                    + certificate.getPublicKey().getAlgorithm());
        }
        if (!signing.contains(certificate)) {
            signing.add(certificate);
        }
    }

    public List<X509Certificate> signingCertificates() {
        return List.copyOf(signing);
    }

    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
