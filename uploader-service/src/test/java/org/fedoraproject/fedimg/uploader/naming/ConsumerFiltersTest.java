package org.fedoraproject.fedimg.uploader.naming;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * The default AMI name template against the filters real consumers use, asked exactly as they ask (another
 * account, {@code describe-images --owners <Fedora's account> --filters Name=name,...}, most recent wins), with
 * public, deprecated and private AMIs side by side: each finds the AMI meant for it, never a deprecated or
 * private one. The preferred volume type (gp3) is registered last, as the uploader does with
 * {@code volume-types=standard,gp3}, so "most recent" picks it where a filter matches both.
 */
class ConsumerFiltersTest {

    static final String FEDORA = "125523088429";
    static final AmiVariant GP3 = new AmiVariant("hvm", "gp3", false);
    static final AmiVariant STANDARD = new AmiVariant("hvm", "standard", false);

    static AwsEmulator emulator;
    static Ec2AsyncClient owner;
    static Ec2AsyncClient consumer;

    @BeforeAll
    static void start() {
        emulator = AwsEmulator.builder().port(0).accountId(FEDORA).account("AKIACONSUMER", "210987654321")
                .quota(org.fedoraproject.fedimg.emulator.Quota.PUBLIC_AMIS, 20) // 12 public AMIs in one region
                .build().start();
        owner = client("test");
        consumer = client("AKIACONSUMER");
    }

    @AfterAll
    static void stop() {
        owner.close();
        consumer.close();
        emulator.close();
    }

    static Ec2AsyncClient client(String key) {
        return Ec2AsyncClient.builder().region(Region.US_EAST_1).endpointOverride(emulator.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, "secret"))).build();
    }

    static ImageSpec image(String fileName, String arch) {
        return new ImageSpec("https://example/" + fileName, fileName, fileName.replace(".raw.xz", ""), "ab".repeat(32), 1,
                arch, "41", "production", "Cloud", "Cloud_Base", 0);
    }

    /** Registers both volume types (gp3 last), public unless said otherwise. */
    static String publish(ImageSpec image, AmiVariant variant, boolean isPublic, boolean deprecated) {
        String volume = owner.createVolume(b -> b.availabilityZone("us-east-1a").size(1)).join().volumeId();
        String snap = owner.createSnapshot(b -> b.volumeId(volume)).join().snapshotId();
        String name = AmiNames.ami(image, variant);
        String ami = owner.registerImage(b -> b.name(name).architecture("x86_64").virtualizationType("hvm")
                .rootDeviceName("/dev/sda1").enaSupport(true)
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(e -> e.snapshotId(snap).volumeType(variant.volumeType())).build())).join().imageId();
        if (isPublic) {
            owner.modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p.add(l -> l.group("all")))).join();
        }
        if (deprecated) {
            // rounded down to the minute, so already past: hidden from other accounts from now on
            owner.enableImageDeprecation(b -> b.imageId(ami).deprecateAt(Instant.now().minusSeconds(30))).join();
        }
        sleep(); // distinct creation times, as separate registrations have
        return ami;
    }

    static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Terraform's aws_ami with most_recent = true, root-device-type=ebs, virtualization-type=hvm. */
    static Optional<Image> mostRecent(String namePattern) {
        return consumer.describeImages(b -> b.owners(FEDORA).filters(
                        Filter.builder().name("name").values(namePattern).build(),
                        Filter.builder().name("root-device-type").values("ebs").build(),
                        Filter.builder().name("virtualization-type").values("hvm").build())).join().images().stream()
                .max(Comparator.comparing(Image::creationDate));
    }

    @Test
    void eachConsumerFilterFindsItsAmiAndNeverADeprecatedOrPrivateOne() {
        // Fedora 41 (new file names), then a newer 41 respin that was deprecated and one made private
        ImageSpec f41 = image("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4.raw.xz", "x86_64");
        publish(f41, STANDARD, true, false);
        String f41gp3 = publish(f41, GP3, true, false);
        ImageSpec f41deprecated = image("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.5.raw.xz", "x86_64");
        String deprecated = publish(f41deprecated, GP3, true, true);
        ImageSpec f41private = image("Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.6.raw.xz", "x86_64");
        publish(f41private, GP3, false, false);
        // the aarch64 image of the same release must not match the x86_64 filter
        publish(image("Fedora-Cloud-Base-AmazonEC2.aarch64-41-1.4.raw.xz", "aarch64"), GP3, true, false);
        // Fedora 38 (old file names)
        ImageSpec f38 = image("Fedora-Cloud-Base-38-1.6.x86_64.raw.xz", "x86_64");
        publish(f38, STANDARD, true, false);
        String f38gp3 = publish(f38, GP3, true, false);
        // Fedora 27, as Typhoon looked for it
        ImageSpec f27 = image("Fedora-Cloud-Base-27-1.6.x86_64.raw.xz", "x86_64");
        String f27standard = publish(f27, STANDARD, true, false);
        publish(f27, GP3, true, false);

        assertThat(mostRecent("Fedora-Cloud-Base-AmazonEC2.x86_64-41-*")).get()
                .satisfies(i -> assertThat(i.imageId()).as("not the newer deprecated %s", deprecated).isEqualTo(f41gp3));
        assertThat(mostRecent("Fedora-Cloud-Base-38-*.x86_64-hvm-*")).get()
                .satisfies(i -> assertThat(i.imageId()).isEqualTo(f38gp3));
        assertThat(mostRecent("Fedora-Cloud-Base-27*-standard-0")).get()
                .satisfies(i -> assertThat(i.imageId()).isEqualTo(f27standard));
        assertThat(consumer.describeImages(b -> b.owners(FEDORA).filters(Filter.builder().name("name")
                .values("Fedora-Cloud-Base-AmazonEC2.x86_64-41-*").build())).join().images())
                .extracting(Image::name).containsExactlyInAnyOrder(AmiNames.ami(f41, GP3), AmiNames.ami(f41, STANDARD));
    }
}
