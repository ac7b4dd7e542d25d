package org.fedoraproject.fedimg.testing.bundles;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.fedoraproject.fedimg.bundle.UserCredentials;

/**
 * An account's X.509 signing certificate and RSA key for tests of instance-store AMIs (issue 22): what an
 * operator makes and registers with AWS, issued here, self-signed. Register {@link #certificate()} with the
 * emulator ({@code aws.registerSigningCertificate}) before a manifest it signs is registered.
 */
public record TestSigner(X509Certificate certificate, KeyPair keys) {

    public static TestSigner issue(String commonName) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair keys = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName + ",O=fedimg tests");
            Instant now = Instant.now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            return new TestSigner(cert, keys);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("issuing a test signing certificate failed", e);
        }
    }

    public UserCredentials credentials() {
        return new UserCredentials(certificate, keys.getPrivate());
    }

    public String certificatePem() {
        return pem(certificate);
    }

    /** The private key as PKCS#1 PEM: a test's secret, for a 0600 file. */
    public String privateKeyPem() {
        return pem(keys.getPrivate());
    }

    private static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    @Override
    public String toString() {
        return "TestSigner[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
