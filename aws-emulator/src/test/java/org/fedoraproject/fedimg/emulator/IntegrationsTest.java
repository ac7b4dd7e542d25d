package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;

import org.fedoraproject.fedimg.bundle.Pem;
import org.fedoraproject.fedimg.emulator.ec2.BundleCertificates;

import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager.TestInjector;

/** The Quarkus test resource and the standalone main, as the services and local mode use them. */
class IntegrationsTest {

    static class FakeQuarkusTest {
        @InjectAwsEmulator
        AwsEmulator aws;
        AwsEmulator notAnnotated;
    }

    @Test
    void quarkusTestResourceConfiguresTheServiceAndInjects() throws Exception {
        AwsEmulatorTestResource resource = new AwsEmulatorTestResource();
        resource.init(Map.of("delays", "fast", "quota.public-amis", "20"));
        Map<String, String> config = resource.start();
        assertThat(config).containsEntry("fedimg.aws.static-credentials.access-key-id", "test")
                .containsEntry("fedimg.aws.static-credentials.secret-access-key", "test")
                .containsEntry("fedimg.aws.base-region", "us-east-1")
                .containsKey("fedimg.aws.endpoint-override");
        FakeQuarkusTest test = new FakeQuarkusTest();
        resource.inject(new TestInjector() {
            @Override
            public void injectIntoFields(Object value, java.util.function.Predicate<Field> predicate) {
                for (Field f : FakeQuarkusTest.class.getDeclaredFields()) {
                    if (predicate.test(f)) {
                        try {
                            f.set(test, value);
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
        });
        assertThat(test.aws).isSameAs(AwsEmulatorTestResource.emulator());
        assertThat(test.notAnnotated).isNull();
        assertThat(test.aws.endpoint()).isEqualTo(URI.create(config.get("fedimg.aws.endpoint-override")));
        assertThat(test.aws.delays()).isEqualTo(Delays.fast());
        assertThat(test.aws.quotas().value("eu-west-1", Quota.PUBLIC_AMIS)).isEqualTo(20);
        try (Sdk sdk = new Sdk(test.aws.endpoint())) {
            assertThat(sdk.ec2().describeRegions().join().regions()).hasSize(Regions.DEFAULT.size());
        }
        // A second resource start in the same JVM reuses the emulator, reset.
        AwsEmulatorTestResource again = new AwsEmulatorTestResource();
        again.init(Map.of());
        assertThat(again.start()).isEqualTo(config);
        assertThat(test.aws.delays()).isEqualTo(Delays.zero());
        assertThat(test.aws.quotas().value("eu-west-1", Quota.PUBLIC_AMIS)).isEqualTo(5);
        again.stop();
        resource.stop();
    }

    @Test
    void standaloneMainServesTheSdk(@TempDir Path dir) throws Exception {
        Path signing = Files.writeString(dir.resolve("user.pem"), BundleCertificates.pem(BundleFixtures.USER.cert()));
        Path ec2 = dir.resolve("ec2.pem");
        try (EmulatorProcess standalone = EmulatorProcess.start("-Xmx128m", "--delays", "realistic", "--regions",
                "us-east-1,eu-central-1", "--quota", "public-amis=12", "--quota", "L-70015FFA=3000",
                "--consumer-account", "AKIACONSUMER=210987654321", "--signing-certificate", signing.toString(),
                "--ec2-certificate-out", ec2.toString());
                Sdk sdk = new Sdk(standalone.endpoint());
                Sdk consumer = new Sdk(standalone.endpoint(), 1, "AKIACONSUMER")) {
            assertThat(sdk.ec2("eu-central-1").describeRegions().join().regions()).extracting(r -> r.regionName())
                    .containsExactly("us-east-1", "eu-central-1");
            assertThat(standalone.admin("/_emulator/health").path("status").asText()).isEqualTo("ok");
            String snap = sdk.ebs("us-east-1").startSnapshot(b -> b.volumeSize(1L)).join().snapshotId();
            assertThat(standalone.admin("/_emulator/regions/us-east-1/snapshots").get(0).path("state").asText())
                    .isEqualTo("pending");
            assertThat(snap).startsWith("snap-");
            var quotas = standalone.admin("/_emulator/quotas?region=eu-central-1").path("eu-central-1");
            assertThat(quotas.get(0).path("value").asLong()).isEqualTo(12);
            assertThat(quotas.get(2).path("value").asLong()).isEqualTo(3000);
            assertThat(sdk.serviceQuotas("us-east-1").getServiceQuota(r -> r.serviceCode("ec2")
                    .quotaCode("L-0E3CBAB9")).join().quota().value()).isEqualTo(12.0);
            assertThat(Sdk.errorCode(org.assertj.core.api.Assertions.catchThrowable(() -> consumer.ec2("us-east-1")
                    .createKeyPair(r -> r.keyName("not-mine")).join()))).isEqualTo("UnauthorizedOperation");

            X509Certificate written = Pem.certificate(Files.readString(ec2));
            assertThat(Pem.certificate(standalone.adminText("/_emulator/ec2-certificate"))).isEqualTo(written);
            assertThat(written.getPublicKey().getAlgorithm()).isEqualTo("RSA");
            assertThat(standalone.admin("/_emulator/signing-certificates").get(0).path("subject").asText())
                    .contains("CN=fedimg-test-user");
            sdk.s3("eu-central-1").createBucket(b -> b.bucket("standalone-bundles").createBucketConfiguration(c -> c
                    .locationConstraint("eu-central-1"))).join();
            assertThat(standalone.admin("/_emulator/s3/buckets").get(0).path("region").asText())
                    .isEqualTo("eu-central-1");
        }
    }
}
