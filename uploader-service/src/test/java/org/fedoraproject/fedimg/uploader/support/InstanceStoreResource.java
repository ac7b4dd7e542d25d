package org.fedoraproject.fedimg.uploader.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;

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
            TestSigner signer = TestSigner.issue("fedimg-uploader-test");
            aws.registerSigningCertificate(signer.certificate());
            Path certFile = Files.writeString(dir.resolve("user-cert.pem"), signer.certificatePem());
            Path keyFile = Files.createFile(dir.resolve("user-key.pem"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, signer.privateKeyPem());
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
