package org.fedoraproject.fedimg.cli.janitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.testing.bundles.InstanceStoreAmis;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * Instance-store bundles (issue 22) in the janitor: a bundle whose AMI failed its test goes after the AMI, a
 * bundle no AMI uses goes, the bundle of an AMI that passed stays, and a bucket without fedimg's tag is never
 * looked into, even under the {@code fedimg/} prefix.
 */
class JanitorBundleTest {

    static final String REGION = "us-east-1";
    static final String FAILED_KEY = "Fedora-Cloud-41-20261101.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261101.n.0.x86_64.raw.xz";
    static final String GOOD_KEY = "Fedora-Cloud-41-20261102.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261102.n.0.x86_64.raw.xz";
    static final String ORPHAN_KEY = "Fedora-Cloud-41-20261103.n.0/Fedora-Cloud-Base-AmazonEC2-41-20261103.n.0.x86_64.raw.xz";

    static AwsEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = AwsEmulator.builder().port(0).regions(List.of(REGION)).delays(Delays.zero()).build().start();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void leakedBundlesGoAfterTheirAmisAndBundlesInUseStay() throws Exception {
        TestSigner signer = TestSigner.issue("fedimg-janitor-test");
        emulator.registerSigningCertificate(signer.certificate());
        InstanceStoreAmis bundles = new InstanceStoreAmis(emulator.endpoint(), emulator.accountId(),
                emulator.inspect().ec2Certificate(), signer);
        String bucket = "fedimg-bundles-" + emulator.accountId() + "-" + REGION;
        byte[] raw = "a small image".repeat(5000).getBytes(StandardCharsets.UTF_8);
        String failedAmi = bundles.register(REGION, bucket, "failed-hvm-instance-store", "hvm", null, raw,
                tags(FAILED_KEY, Map.of(AwsTags.TEST_VERDICT, "failed")));
        String goodAmi = bundles.register(REGION, bucket, "good-hvm-instance-store", "hvm", null, raw,
                tags(GOOD_KEY, Map.of(AwsTags.TEST_VERDICT, "passed")));
        try (S3AsyncClient s3 = S3AsyncClient.builder().region(Region.US_EAST_1).endpointOverride(emulator.endpoint())
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("test", "test"))).build()) {
            // what a crash before the manifest leaves: a plan and parts, no AMI
            for (String key : List.of("fedimg/orphan/orphan.bundle-plan", "fedimg/orphan/orphan.part.00")) {
                s3.putObject(b -> b.bucket(bucket).key(key).tagging(tagging(tags(ORPHAN_KEY, Map.of()))),
                        AsyncRequestBody.fromString("x")).join();
            }
            // somebody else's bucket, same layout, no fedimg tag
            s3.createBucket(b -> b.bucket("someone-elses-bundles")).join();
            s3.putObject(b -> b.bucket("someone-elses-bundles").key("fedimg/theirs/theirs.part.00")
                    .tagging(tagging(tags(ORPHAN_KEY, Map.of()))), AsyncRequestBody.fromString("y")).join();
        }
        Instant later = Instant.now().plus(Duration.ofMinutes(1));
        String failedBundle = "s3://" + bucket + "/fedimg/failed-hvm-instance-store/";
        String orphanBundle = "s3://" + bucket + "/fedimg/orphan/";
        String goodBundle = "s3://" + bucket + "/fedimg/good-hvm-instance-store/";

        JanitorRunner.Run dry = janitor(later, "--json");
        assertThat(dry.exit()).as(dry.out() + dry.err()).isZero();
        assertThat(dry.ids("delete")).containsExactlyInAnyOrder(failedAmi, failedBundle, orphanBundle);
        assertThat(dry.keptReason(goodBundle)).isEqualTo("bundle of AMI " + goodAmi);
        assertThat(dry.keptReason(goodAmi)).contains("passed its test");

        JanitorRunner.Run delete = janitor(later, "--json", "--delete");
        assertThat(delete.exit()).as(delete.out() + delete.err()).isZero();
        assertThat(delete.idsWithResult("deleted")).containsExactlyInAnyOrder(failedAmi, failedBundle, orphanBundle);
        assertThat(keys(bucket)).isNotEmpty().allSatisfy(k -> assertThat(k).startsWith("fedimg/good-hvm-instance-store/"));
        assertThat(keys("someone-elses-bundles")).containsExactly("fedimg/theirs/theirs.part.00");
        assertThat(emulator.inspect().image(REGION, goodAmi)).map(Views.Image::state).contains("available");

        JanitorRunner.Run again = janitor(later, "--json");
        assertThat(again.ids("delete")).as("a second run finds nothing left").isEmpty();
    }

    private static Set<String> keys(String bucket) {
        Set<String> keys = new TreeSet<>();
        emulator.inspect().objects(bucket).forEach(o -> keys.add(o.key()));
        return keys;
    }

    private static Map<String, String> tags(String imageKey, Map<String, String> extra) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE);
        t.put(AwsTags.IMAGE_KEY, imageKey);
        t.put(AwsTags.PURPOSE, "bundle");
        t.putAll(extra);
        return t;
    }

    private static Tagging tagging(Map<String, String> tags) {
        return Tagging.builder().tagSet(tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()).build();
    }

    private static JanitorRunner.Run janitor(Instant now, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--endpoint", emulator.endpoint().toString(),
                "--region", REGION, "--grace", "PT1S", "--now", now.toString()));
        args.addAll(List.of(extra));
        return JanitorRunner.run(args.toArray(String[]::new));
    }
}
