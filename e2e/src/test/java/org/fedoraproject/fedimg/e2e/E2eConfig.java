package org.fedoraproject.fedimg.e2e;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.cli.local.LocalConfig;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.testing.EmbeddedAmqpBroker;

/** Service settings for end-to-end runs: the bus, the regions and the test script. */
final class E2eConfig {

    /** The AMQP broker to use when it answers: the machine's RabbitMQ unless {@code -Dfedimg.e2e.amqp-url} says otherwise. */
    static final String CONFIGURED_AMQP_URL = System.getProperty("fedimg.e2e.amqp-url", "amqp://guest:guest@127.0.0.1:5672/%2F");
    /** Given to every service as its AWS secret key (the emulator ignores it); no log line may contain it. */
    static final String AWS_SECRET = "e2eFakeAwsSecret/" + UUID.randomUUID();
    static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
            "ap-southeast-2", "ap-east-1", "me-central-1", "sa-east-1");

    private static String amqpUrl;

    private E2eConfig() {
    }

    /**
     * The AMQP broker of every e2e run in this JVM: the configured one when it answers, else an embedded
     * Qpid Broker-J (AMQP 0-9-1, in memory) started once for the JVM, so the suite runs on a machine without
     * RabbitMQ too.
     */
    static synchronized String amqpUrl() {
        if (amqpUrl == null) {
            if (RabbitBus.reachable(CONFIGURED_AMQP_URL)) {
                amqpUrl = CONFIGURED_AMQP_URL;
            } else {
                EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start();
                Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "e2e-amqp-broker-stop"));
                amqpUrl = broker.url();
                System.out.println("[e2e] no AMQP broker answers at " + withoutPassword(CONFIGURED_AMQP_URL)
                        + ": using an embedded one (Qpid Broker-J) at " + withoutPassword(amqpUrl));
            }
        }
        return amqpUrl;
    }

    private static String withoutPassword(String url) {
        return url.replaceFirst("://([^:@/]+):[^@/]*@", "://$1:***@");
    }

    static Path projectDir() {
        return Path.of(System.getProperty("fedimg.project.dir", "..")).toAbsolutePath().normalize();
    }

    /** For every service: JSON logs, and a fake secret that must not show up in them. */
    static Map<String, String> common() {
        return Map.of("quarkus.log.console.json.enabled", "true",
                "fedimg.aws.static-credentials.secret-access-key", AWS_SECRET);
    }

    /**
     * The bridge on fedora-messaging, in its own environment so parallel runs on one RabbitMQ never mix, also
     * publishing on a fedmsg socket nobody listens to, signed with {@code signing}: its key must not be logged.
     */
    static Map<String, Map<String, String>> perService(String environment, String queue, Path work,
            SigningKey signing) {
        Map<String, Map<String, String>> all = perService(environment, queue, work);
        Map<String, String> bridge = all.get("bridge-fedmsg");
        bridge.put("fedimg.bridge.fedmsg.publish.enabled", "true");
        bridge.put("fedimg.bridge.fedmsg.publish.endpoint", "tcp://127.0.0.1:" + KafkaBroker.freePort());
        bridge.put("fedimg.bridge.fedmsg.publish.sign", "true");
        bridge.put("fedimg.bridge.fedmsg.publish.certfile", signing.certfile().toString());
        bridge.put("fedimg.bridge.fedmsg.publish.keyfile", signing.keyfile().toString());
        return all;
    }

    /**
     * Switches instance-store AMIs on (issue 22) in the uploader's settings: HVM bundles beside the EBS variants
     * (paravirtual has no aarch64 AMI, and the compose has aarch64 images), signed with an account certificate
     * issued here and registered with the emulator, as an operator uploads one to IAM. The key file is 0600.
     */
    static void instanceStore(Map<String, String> uploader, org.fedoraproject.fedimg.emulator.AwsEmulator emulator,
            Path work) {
        try {
            org.fedoraproject.fedimg.testing.bundles.TestSigner signer =
                    org.fedoraproject.fedimg.testing.bundles.TestSigner.issue("fedimg-e2e-account");
            emulator.registerSigningCertificate(signer.certificate());
            Path cert = java.nio.file.Files.writeString(work.resolve("bundle-cert.pem"), signer.certificatePem());
            Path key = java.nio.file.Files.createFile(work.resolve("bundle-key.pem"),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(key, signer.privateKeyPem());
            Path ec2 = java.nio.file.Files.writeString(work.resolve("ec2-cert.pem"),
                    emulator.inspect().ec2CertificatePem());
            uploader.put("fedimg.uploader.registration.storage-types", "ebs,instance-store");
            uploader.put("fedimg.uploader.instance-store.account-id", emulator.accountId());
            uploader.put("fedimg.uploader.instance-store.ec2-certificate-file", ec2.toString());
            uploader.put("fedimg.uploader.instance-store.certificate-file", cert.toString());
            uploader.put("fedimg.uploader.instance-store.private-key-file", key.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The bridge on fedora-messaging only, in its own environment; the maps are mutable for callers to adjust. */
    static Map<String, Map<String, String>> perService(String environment, String queue, Path work) {
        Map<String, String> bridge = new LinkedHashMap<>();
        bridge.put("fedimg.bridge.environment", environment);
        bridge.put("fedimg.bridge.amqp.consume", "true");
        bridge.put("fedimg.bridge.amqp.publish", "true");
        bridge.put("fedimg.bridge.amqp.url", amqpUrl());
        bridge.put("fedimg.bridge.amqp.routing-keys", "org.fedoraproject." + environment + ".pungi.compose.status.change");
        bridge.put("fedimg.bridge.amqp.queue", queue);
        bridge.put("fedimg.bridge.amqp.queue-durable", "false");
        bridge.put("fedimg.bridge.amqp.queue-auto-delete", "true");
        bridge.put("fedimg.bridge.fedmsg.subscribe.enabled", "false");
        bridge.put("fedimg.bridge.fedmsg.publish.enabled", "false");
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        all.put("bridge-fedmsg", bridge);
        all.put("uploader-service", new LinkedHashMap<>());
        all.put("tester-service", new LinkedHashMap<>(
                Map.of("fedimg.tester.script-path", LocalConfig.testScript(work).toString())));
        all.put("replicator-service", new LinkedHashMap<>());
        return all;
    }
}
