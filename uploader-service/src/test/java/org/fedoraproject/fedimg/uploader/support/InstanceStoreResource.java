package org.fedoraproject.fedimg.uploader.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The X.509 side of instance-store AMIs for a Quarkus test: an account signing certificate and key issued
 * here and registered with the JVM's emulator (as an operator uploads one to AWS), the emulator's EC2
 * certificate, all as PEM files (the key 0600) named by {@code fedimg.uploader.instance-store.*}, with the
 * emulator's account id.
 */
public class InstanceStoreResource implements QuarkusTestResourceLifecycleManager {

    private Path dir;

    @Override
    public Map<String, String> start() {
        AwsEmulator aws = AwsEmulatorTestResource.emulator();
        try {
            dir = Files.createTempDirectory("fedimg-bundle-pki");
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair keys = g.generateKeyPair();
            X500Name name = new X500Name("CN=fedimg-uploader-test,O=fedimg tests");
            Instant now = Instant.now();
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            aws.registerSigningCertificate(cert);
            Path certFile = Files.writeString(dir.resolve("user-cert.pem"), pem(cert));
            Path keyFile = Files.createFile(dir.resolve("user-key.pem"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, pem(keys.getPrivate()));
            Path ec2File = Files.writeString(dir.resolve("ec2-cert.pem"), aws.inspect().ec2CertificatePem());
            return Map.of(
                    "fedimg.uploader.instance-store.account-id", aws.accountId(),
                    "fedimg.uploader.instance-store.ec2-certificate-file", ec2File.toString(),
                    "fedimg.uploader.instance-store.certificate-file", certFile.toString(),
                    "fedimg.uploader.instance-store.private-key-file", keyFile.toString());
        } catch (Exception e) {
            throw new IllegalStateException("issuing the test signing certificate failed", e);
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

    @Override
    public void stop() {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // a temp dir left behind
            }
        }
    }
}
