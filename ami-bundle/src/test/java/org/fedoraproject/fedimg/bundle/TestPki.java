package org.fedoraproject.fedimg.bundle;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed RSA identities for the tests: an "EC2 service" and a user, each with a stranger twin. */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** 2048 bits, as EC2's own certificate; the others 1024, quick to make on a busy machine. */
    static final Identity EC2 = issue("ec2-service", 2048);
    static final Identity OTHER_EC2 = issue("ec2-service-elsewhere", 1024);
    static final Identity USER = issue("fedimg-user", 1024);
    static final Identity OTHER_USER = issue("somebody-else", 1024);

    private TestPki() {
    }

    record Identity(KeyPair keys, X509Certificate cert) {

        UserCredentials credentials() {
            return new UserCredentials(cert, keys.getPrivate());
        }

        String certificatePem() {
            return pem(cert);
        }

        /** PKCS#1, {@code BEGIN RSA PRIVATE KEY}. */
        String pkcs1KeyPem() {
            return pem(keys.getPrivate());
        }

        /** PKCS#8, {@code BEGIN PRIVATE KEY}. */
        String pkcs8KeyPem() {
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        }
    }

    private static Identity issue(String cn, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            KeyPair keys = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + cn + ",O=fedimg tests");
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.getAndIncrement()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                    keys.getPublic());
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            return new Identity(keys, cert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
}
