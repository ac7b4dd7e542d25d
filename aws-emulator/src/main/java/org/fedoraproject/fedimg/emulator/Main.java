package org.fedoraproject.fedimg.emulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.fedoraproject.fedimg.bundle.Pem;

/**
 * Standalone: {@code java -jar aws-emulator-standalone.jar --port N [--delays zero|fast|realistic]
 * [--regions a,b] [--account 123456789012] [--host 127.0.0.1] [--tls-keystore file.p12 --tls-password pw]
 * [--http-threads 64] [--instance-backend bash|qemu] [--max-vms 2] [--vm-ssh-port 22] [--quota public-amis=20 ...] [--consumer-account ACCESS_KEY_ID=210987654321 ...]
 * [--signing-certificate cert.pem ...] [--ec2-certificate-out ec2.pem]}: the key store makes it HTTPS;
 * {@code --quota} sets a quota in every region, by name or Service Quotas code; {@code --consumer-account} makes
 * calls signed with that access key act as another account; signing certificates let instance-store manifests
 * through; {@code --instance-backend qemu} boots instances in QEMU (bash, the default, runs their user-data on
 * the host); the EC2 certificate is written for fedimg to bundle for. Prints
 * {@code aws-emulator listening on http://127.0.0.1:N} once ready; stops on SIGTERM/Ctrl-C.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        AwsEmulator.Builder builder = AwsEmulator.builder();
        String tlsKeyStore = null;
        String tlsPassword = "";
        String ec2CertificateOut = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--port" -> builder.port(Integer.parseInt(require(arg, value)));
                case "--delays" -> builder.delays(Delays.named(require(arg, value)));
                case "--regions" -> builder.regions(List.of(require(arg, value).split(",")));
                case "--account" -> builder.accountId(require(arg, value));
                case "--host" -> builder.host(require(arg, value));
                case "--tls-keystore" -> tlsKeyStore = require(arg, value);
                case "--tls-password" -> tlsPassword = require(arg, value);
                case "--instance-backend" -> builder.instanceBackend(
                        org.fedoraproject.fedimg.emulator.vm.InstanceBackend.named(require(arg, value)));
                case "--max-vms" -> builder.maxVms(Integer.parseInt(require(arg, value)));
                case "--vm-ssh-port" -> builder.vmSshPort(Integer.parseInt(require(arg, value)));
                case "--http-threads" -> builder.httpThreads(Integer.parseInt(require(arg, value)));
                case "--quota" -> {
                    String[] kv = pair(arg, require(arg, value));
                    builder.quota(Quota.named(kv[0]), Long.parseLong(kv[1]));
                }
                case "--consumer-account" -> {
                    String[] kv = pair(arg, require(arg, value));
                    builder.account(kv[0], kv[1]);
                }
                case "--signing-certificate" -> builder.signingCertificate(Pem.certificate(read(require(arg, value))));
                case "--ec2-certificate-out" -> ec2CertificateOut = require(arg, value);
                case "-h", "--help" -> {
                    System.out.println("usage: aws-emulator --port N [--delays zero|fast|realistic] [--regions a,b] "
                            + "[--account 123456789012] [--host 127.0.0.1] [--tls-keystore file.p12 --tls-password pw] "
                            + "[--http-threads 64] [--instance-backend bash|qemu] [--max-vms 2] [--vm-ssh-port 22] [--quota public-amis|amis|ami-sharing|L-XXXXXXXX=N ...] "
                            + "[--consumer-account KEY=ACCOUNT ...] [--signing-certificate cert.pem ...] "
                            + "[--ec2-certificate-out ec2.pem]");
                    return;
                }
                default -> {
                    System.err.println("unknown argument " + arg + " (try --help); args: " + Arrays.toString(args));
                    System.exit(2);
                }
            }
            i++;
        }
        if (tlsKeyStore != null) {
            builder.tls(java.nio.file.Path.of(tlsKeyStore), tlsPassword.toCharArray());
        }
        AwsEmulator emulator = builder.build().start();
        if (ec2CertificateOut != null) {
            try {
                Files.writeString(Path.of(ec2CertificateOut), emulator.inspect().ec2CertificatePem());
            } catch (IOException e) {
                System.err.println("cannot write " + ec2CertificateOut + ": " + e.getMessage());
                emulator.close();
                System.exit(2);
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "aws-emulator-shutdown"));
        System.out.println("aws-emulator listening on " + emulator.endpoint());
        System.out.flush();
        stopped.await();
    }

    /** {@code name=value}, or exit with usage. */
    private static String[] pair(String arg, String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            System.err.println(arg + " needs name=value, got " + value);
            System.exit(2);
        }
        return new String[] {value.substring(0, eq), value.substring(eq + 1)};
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            System.err.println("cannot read " + file + ": " + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    private static String require(String arg, String value) {
        if (value == null) {
            System.err.println(arg + " needs a value");
            System.exit(2);
        }
        return value;
    }
}
