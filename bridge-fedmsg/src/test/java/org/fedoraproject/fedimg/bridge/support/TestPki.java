package org.fedoraproject.fedimg.bridge.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA for tests: service certificates signed by it, and a CRL revoking chosen ones. */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    public final KeyPair caKeys;
    public final X509Certificate ca;
    private final X500Name caName;

    public TestPki(String caCn) {
        try {
            caKeys = rsa();
            caName = new X500Name("CN=" + caCn + ",OU=fedimg-tests,O=Fedora Project");
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), caName,
                    caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            ca = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public record Issued(KeyPair keys, X509Certificate cert) {
    }

    public Issued issue(String cn, Instant notBefore, Instant notAfter) {
        try {
            KeyPair keys = rsa();
            var b = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn + ",O=Fedora Project"),
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return new Issued(keys, new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS server certificate with DNS subject alternative names. */
    public Issued issueServer(String cn, String... dnsNames) {
        try {
            KeyPair keys = rsa();
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))),
                    new X500Name("CN=" + cn), keys.getPublic());
            org.bouncycastle.asn1.x509.GeneralName[] names = new org.bouncycastle.asn1.x509.GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.dNSName,
                        dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(names));
            return new Issued(keys, new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Issued issue(String cn) {
        Instant now = Instant.now();
        return issue(cn, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
    }

    public X509CRL crl(X509Certificate... revoked) {
        try {
            Date now = new Date();
            X509v2CRLBuilder b = new X509v2CRLBuilder(caName, now);
            b.setNextUpdate(new Date(now.getTime() + 86_400_000L));
            for (X509Certificate c : revoked) {
                b.addCRLEntry(c.getSerialNumber(), now, CRLReason.keyCompromise);
            }
            return new JcaX509CRLConverter().getCRL(b.build(signer(caKeys)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path writePem(Path file, Object... objects) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.writeString(file, sw.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024); // test keys only: fast to generate on a busy 2-core machine
        return g.generateKeyPair();
    }

    private static org.bouncycastle.operator.ContentSigner signer(KeyPair keys) throws Exception {
        return new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate());
    }
}
