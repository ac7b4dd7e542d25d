package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.fedoraproject.fedimg.bundle.BundleKeys;
import org.fedoraproject.fedimg.bundle.BundledImage;
import org.fedoraproject.fedimg.bundle.ManifestWriter;
import org.fedoraproject.fedimg.bundle.PartInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.RegisterImageRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * Instance-store AMIs end to end through the SDK: bundled with ami-bundle, uploaded with the S3 client, registered
 * from their manifest; the emulator reassembles byte-equal images, refuses bad bundles with InvalidManifest, and
 * launches them only on the instance types AWS allows.
 */
class InstanceStoreImagesTest extends EmulatorTest {

    static final String ACCOUNT = AwsEmulator.DEFAULT_ACCOUNT_ID;
    static final int PART = 128 * 1024;

    @BeforeAll
    static void signingCertificate() {
        aws.registerSigningCertificate(BundleFixtures.USER.cert()); // survives the resets between tests
    }

    static S3AsyncClient s3(String region) {
        return sdk.s3(region);
    }

    static BundleFixtures.Uploaded bundle(String bucket, String region, byte[] image,
            org.fedoraproject.fedimg.bundle.MachineConfiguration machine) {
        BundleFixtures.createBundleBucket(s3(region), bucket, region);
        return BundleFixtures.upload(s3(region), bucket, "fedimg/f42/", "f42.raw", image, machine,
                aws.inspect().ec2Certificate(), BundleFixtures.USER.credentials(), ACCOUNT, PART);
    }

    static RegisterImageRequest registration(String name, String location, String virtualization) {
        return RegisterImageRequest.builder().name(name).imageLocation(location).architecture("x86_64")
                .virtualizationType(virtualization).build();
    }

    static Image image(String region, String ami) {
        return ec2(region).describeImages(b -> b.imageIds(ami)).join().images().get(0);
    }

    static void awaitState(String region, String ami, String state) {
        await().atMost(Duration.ofSeconds(30)).until(() -> image(region, ami).stateAsString().equals(state));
    }

    static String run(String ami, String type) {
        return ec2().runInstances(b -> b.imageId(ami).instanceType(type).minCount(1).maxCount(1)).join().instances()
                .get(0).instanceId();
    }

    @Test
    void hvmBundleBecomesAnAmiThatBootsCopiesAndGoesPublic() {
        byte[] image = BundleFixtures.image(1_200_000, 11);
        BundleFixtures.Uploaded up = bundle("fedimg-bundles-us-east-1", US_EAST_1, image, BundleFixtures.HVM);
        assertThat(up.bundled().parts()).hasSizeGreaterThan(1);
        String ami = ec2().registerImage(registration("Fedora-Cloud-42-hvm-instance-store", up.location(), "hvm"))
                .join().imageId();
        awaitState(US_EAST_1, ami, "available");
        assertThat(aws.inspect().imageSha256(US_EAST_1, ami)).isEqualTo(BundleFixtures.sha256(image));
        Image described = image(US_EAST_1, ami);
        assertThat(described.rootDeviceTypeAsString()).isEqualTo("instance-store");
        assertThat(described.imageLocation()).isEqualTo(up.location());
        assertThat(described.virtualizationTypeAsString()).isEqualTo("hvm");
        assertThat(described.rootDeviceName()).isEqualTo("/dev/sda1");
        assertThat(described.blockDeviceMappings()).anySatisfy(m -> {
            assertThat(m.deviceName()).isEqualTo("/dev/sdb");
            assertThat(m.virtualName()).isEqualTo("ephemeral0");
        });
        assertThat(ec2().describeImages(b -> b.filters(Filter.builder().name("root-device-type")
                .values("instance-store").build())).join().images()).extracting(Image::imageId).containsExactly(ami);

        assertAwsError(() -> run(ami, "t3.small"), "UnsupportedOperation")
                .hasMessageContaining("instance-store root device is not supported for the instance type 't3.small'");
        assertAwsError(() -> run(ami, "m1.small"), "InvalidParameterCombination")
                .hasMessageContaining("virtualization type of 'hvm' are currently not supported");
        assertAwsError(() -> ec2().runInstances(b -> b.imageId(ami).instanceType("c3.large").minCount(1).maxCount(1)
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.STOP)).join(), "InvalidParameterCombination");
        String instance = run(ami, "c3.large");
        Instance launched = ec2().describeInstances(b -> b.instanceIds(instance)).join().reservations().get(0)
                .instances().get(0);
        assertThat(launched.rootDeviceTypeAsString()).isEqualTo("instance-store");
        assertThat(launched.blockDeviceMappings()).isEmpty();
        assertThat(aws.inspect().instanceRootSha256(US_EAST_1, instance)).isEqualTo(BundleFixtures.sha256(image));
        assertAwsError(() -> ec2().stopInstances(b -> b.instanceIds(instance)).join(), "UnsupportedOperation");
        ec2().terminateInstances(b -> b.instanceIds(instance)).join();

        String copy = ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami)
                .name("Fedora-Cloud-42-hvm-instance-store")).join().imageId();
        awaitState(EU_WEST_1, copy, "available");
        Image copied = image(EU_WEST_1, copy);
        assertThat(copied.rootDeviceTypeAsString()).isEqualTo("instance-store");
        String copyBucket = copied.imageLocation().substring(0, copied.imageLocation().indexOf('/'));
        assertThat(copyBucket).startsWith("amis-for-" + ACCOUNT + "-in-eu-west-1-");
        assertThat(aws.inspect().bucket(copyBucket).orElseThrow().region()).isEqualTo(EU_WEST_1);
        assertThat(aws.inspect().objects(copyBucket)).hasSize(up.bundled().parts().size() + 1)
                .allSatisfy(o -> assertThat(o.acl()).isEqualTo("aws-exec-read"));
        assertThat(aws.inspect().imageSha256(EU_WEST_1, copy)).isEqualTo(BundleFixtures.sha256(image));
        assertAwsError(() -> ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami).name("enc")
                .encrypted(true)).join(), "InvalidParameterCombination");

        ec2().modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p.add(LaunchPermission.builder()
                .group("all").build()))).join();
        assertThat(image(US_EAST_1, ami).publicLaunchPermissions()).isTrue();
        ec2().deregisterImage(b -> b.imageId(ami)).join();
        assertThat(aws.inspect().objects(up.bucket())).hasSize(up.bundled().parts().size() + 1); // the bundle stays
    }

    @Test
    void paravirtualBundleTakesItsKernelFromTheManifestAndRunsOnXen() {
        byte[] image = BundleFixtures.image(700_000, 12);
        BundleFixtures.Uploaded up = bundle("fedimg-bundles-eu-west-1", EU_WEST_1, image, BundleFixtures.PARAVIRTUAL);
        String ami = ec2(EU_WEST_1).registerImage(RegisterImageRequest.builder().name("Fedora-Cloud-42-pv")
                .imageLocation(up.location()).build()).join().imageId(); // paravirtual: RegisterImage's default
        awaitState(EU_WEST_1, ami, "available");
        assertThat(aws.inspect().imageSha256(EU_WEST_1, ami)).isEqualTo(BundleFixtures.sha256(image));
        Image described = image(EU_WEST_1, ami);
        assertThat(described.virtualizationTypeAsString()).isEqualTo("paravirtual");
        assertThat(described.kernelId()).isEqualTo("aki-919dcaf8");
        assertThat(described.architectureAsString()).isEqualTo("x86_64");

        assertAwsError(() -> ec2(EU_WEST_1).runInstances(b -> b.imageId(ami).instanceType("r3.large").minCount(1)
                .maxCount(1)).join(), "InvalidParameterCombination")
                .hasMessageContaining("Virtualization type 'hvm' is required for instances of type 'r3.large'");
        String instance = ec2(EU_WEST_1).runInstances(b -> b.imageId(ami).instanceType("m1.small").minCount(1)
                .maxCount(1)).join().instances().get(0).instanceId();
        assertThat(aws.inspect().instanceRootSha256(EU_WEST_1, instance)).isEqualTo(BundleFixtures.sha256(image));
        assertThat(ec2(EU_WEST_1).describeInstanceTypes(b -> b.filters(Filter.builder()
                .name("supported-root-device-type").values("instance-store").build(), Filter.builder()
                .name("supported-virtualization-type").values("paravirtual").build())).join().instanceTypes())
                .extracting(t -> t.instanceTypeAsString()).contains("m1.small", "m3.medium", "c3.large")
                .doesNotContain("r3.large", "t3.small");
    }

    /**
     * An instance-store AMI counts against the AMI quotas like any AMI: at RegisterImage, at CopyImage (refused
     * before the bundle is copied) and when made public. When the root device and the virtualization type both
     * rule a type out, the root device's error wins.
     */
    @Test
    void instanceStoreAmisCountAgainstTheQuotasAndTheirRootRulesFirst() {
        BundleFixtures.Uploaded up = bundle("fedimg-bundles-quotas", US_EAST_1, BundleFixtures.image(300_000, 15),
                BundleFixtures.PARAVIRTUAL);
        aws.quotas().set(US_EAST_1, Quota.AMIS, 1).set(EU_WEST_1, Quota.AMIS, 1);
        String ami = ec2().registerImage(registration("Fedora-42-pv-quota", up.location(), "paravirtual")).join()
                .imageId();
        awaitState(US_EAST_1, ami, "available");
        assertAwsError(() -> ec2().registerImage(registration("Fedora-42-pv-again", up.location(), "paravirtual"))
                .join(), "ResourceLimitExceeded").hasMessageContaining("quota of 1 for the number of images");

        registeredImage(EU_WEST_1, "Fedora-Cloud-42-ebs"); // the destination's one AMI
        assertAwsError(() -> ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami)
                .name("Fedora-42-pv-quota")).join(), "ResourceLimitExceeded");
        assertThat(aws.inspect().buckets()).extracting(Views.Bucket::name).containsExactly(up.bucket());
        aws.quotas().set(EU_WEST_1, Quota.AMIS, 2);
        String copy = ec2(EU_WEST_1).copyImage(b -> b.sourceRegion(US_EAST_1).sourceImageId(ami)
                .name("Fedora-42-pv-quota")).join().imageId();
        awaitState(EU_WEST_1, copy, "available");
        assertThat(aws.inspect().quotas(EU_WEST_1)).filteredOn(q -> q.code().equals(Quota.AMIS.code()))
                .singleElement().satisfies(q -> assertThat(q.used()).isEqualTo(2));

        aws.quotas().set(US_EAST_1, Quota.PUBLIC_AMIS, 0);
        assertAwsError(() -> ec2().modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p.add(
                LaunchPermission.builder().group("all").build()))).join(), "ResourceLimitExceeded");

        // paravirtual and instance-store: a T3 runs neither, T1 runs paravirtual guests but has no instance store
        assertAwsError(() -> run(ami, "t3.micro"), "UnsupportedOperation")
                .hasMessageContaining("instance-store root device is not supported for the instance type 't3.micro'");
        assertAwsError(() -> run(ami, "t1.micro"), "UnsupportedOperation");
        run(ami, "m1.small");
    }

    /** Each mutation of a good bundle is refused at RegisterImage, with a message that says what is wrong. */
    @Test
    void tamperedPartsChangedManifestsAndUnreadablePartsAreRefused() {
        byte[] image = BundleFixtures.image(600_000, 13);
        BundleFixtures.Uploaded up = bundle("fedimg-bundles-refusals", US_EAST_1, image, BundleFixtures.HVM);
        String part1 = up.partKey(1);
        byte[] original = s3Get(up.bucket(), part1);

        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 1;
        s3Put(up.bucket(), part1, tampered, ObjectCannedACL.AWS_EXEC_READ);
        assertRefused(up.location(), "Part 1 (f42.raw.part.01)", "SHA-1");

        s3Put(up.bucket(), part1, original, ObjectCannedACL.PRIVATE);
        assertRefused(up.location(), "Part 1", "EC2 may not read", "aws-exec-read");
        s3Put(up.bucket(), part1, original, ObjectCannedACL.AWS_EXEC_READ);

        String changed = up.manifestXml().replace("<size>" + image.length + "</size>",
                "<size>" + (image.length + 1) + "</size>");
        BundleFixtures.putManifest(s3(US_EAST_1), up.bucket(), up.manifestKey(), changed);
        assertRefused(up.location(), "does not verify with any signing certificate");

        BundleFixtures.putManifest(s3(US_EAST_1), up.bucket(), up.manifestKey(), up.manifestXml());
        assertRefused(up.bucket() + "/fedimg/f42/none.manifest.xml", "Unable to read the manifest", "does not exist");
        assertAwsError(() -> ec2(EU_WEST_1).registerImage(registration("elsewhere", up.location(), "hvm")).join(),
                "InvalidManifest").hasMessageContaining("is in us-east-1, not in eu-west-1");

        String ok = ec2().registerImage(registration("Fedora-after-repairs", up.location(), "hvm")).join().imageId();
        awaitState(US_EAST_1, ok, "available");
        assertThat(aws.inspect().images(US_EAST_1)).extracting(Views.Image::imageId).containsExactly(ok);
    }

    @Test
    void unknownSignersAndOtherEc2CertificatesAreRefused() {
        BundleFixtures.createBundleBucket(s3(US_EAST_1), "fedimg-bundles-strangers", US_EAST_1);
        byte[] image = BundleFixtures.image(300_000, 14);
        BundleFixtures.Uploaded stranger = BundleFixtures.upload(s3(US_EAST_1), "fedimg-bundles-strangers", "a/",
                "f42.raw", image, BundleFixtures.HVM, aws.inspect().ec2Certificate(),
                BundleFixtures.STRANGER.credentials(), ACCOUNT, PART);
        assertRefused(stranger.location(), "does not verify with any signing certificate of account " + ACCOUNT);

        BundleFixtures.Uploaded otherEc2 = BundleFixtures.upload(s3(US_EAST_1), "fedimg-bundles-strangers", "b/",
                "f42.raw", image, BundleFixtures.HVM, BundleFixtures.STRANGER.cert(),
                BundleFixtures.USER.credentials(), ACCOUNT, PART);
        assertRefused(otherEc2.location(), "not sealed for this EC2 certificate");

        BundleFixtures.Uploaded otherAccount = BundleFixtures.upload(s3(US_EAST_1), "fedimg-bundles-strangers", "c/",
                "f42.raw", image, BundleFixtures.HVM, aws.inspect().ec2Certificate(),
                BundleFixtures.USER.credentials(), "210987654321", PART);
        assertRefused(otherAccount.location(), "was bundled for account 210987654321");
        assertThat(aws.inspect().images(US_EAST_1)).isEmpty();
    }

    /**
     * A signed manifest over parts that match their digests but do not decrypt to a bundle passes RegisterImage, as
     * it would on AWS, and the AMI fails when the image is reassembled; an image over 10 GiB is refused at once.
     */
    @Test
    void oversizedImagesAreRefusedAndUndecryptableBundlesFail() {
        BundleFixtures.createBundleBucket(s3(US_EAST_1), "fedimg-bundles-forged", US_EAST_1);
        byte[] garbage = new byte[64 * 1024];
        new SecureRandom().nextBytes(garbage);
        s3Put("fedimg-bundles-forged", "x/forged.raw.part.00", garbage, ObjectCannedACL.AWS_EXEC_READ);
        PartInfo part = new PartInfo(0, "forged.raw.part.00", sha1Hex(garbage));
        BundleKeys keys = BundleKeys.random(new SecureRandom());
        ManifestWriter writer = new ManifestWriter(aws.inspect().ec2Certificate(), BundleFixtures.USER.credentials());

        String big = writer.write(ACCOUNT, BundleFixtures.HVM, new BundledImage("forged.raw", 11L << 30,
                "0".repeat(40), garbage.length, List.of(part)), keys);
        BundleFixtures.putManifest(s3(US_EAST_1), "fedimg-bundles-forged", "x/big.manifest.xml", big);
        assertRefused("fedimg-bundles-forged/x/big.manifest.xml", "at most 10 GiB");

        String forged = writer.write(ACCOUNT, BundleFixtures.HVM, new BundledImage("forged.raw", 100_000,
                "0".repeat(40), garbage.length, List.of(part)), keys);
        BundleFixtures.putManifest(s3(US_EAST_1), "fedimg-bundles-forged", "x/forged.manifest.xml", forged);
        String ami = ec2().registerImage(registration("Fedora-forged", "fedimg-bundles-forged/x/forged.manifest.xml",
                "hvm")).join().imageId();
        awaitState(US_EAST_1, ami, "failed");
        Image failed = image(US_EAST_1, ami);
        assertThat(failed.stateReason().code()).isEqualTo("Client.InvalidManifest");
        assertThat(failed.stateReason().message()).contains("gzip");
        assertAwsError(() -> run(ami, "c3.large"), "InvalidAMIID.Unavailable");
    }

    private static void assertRefused(String location, String... messageParts) {
        assertAwsError(() -> ec2().registerImage(registration("refused-" + System.nanoTime(), location, "hvm")).join(),
                "InvalidManifest").satisfies(t -> assertThat(t.getMessage()).contains(messageParts));
    }

    private static byte[] s3Get(String bucket, String key) {
        return s3(US_EAST_1).getObject(b -> b.bucket(bucket).key(key),
                software.amazon.awssdk.core.async.AsyncResponseTransformer.toBytes()).join().asByteArray();
    }

    private static void s3Put(String bucket, String key, byte[] data, ObjectCannedACL acl) {
        s3(US_EAST_1).putObject(b -> b.bucket(bucket).key(key).acl(acl), AsyncRequestBody.fromBytes(data)).join();
    }

    private static String sha1Hex(byte[] data) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
