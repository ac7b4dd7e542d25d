package org.fedoraproject.fedimg.uploader.support;

import java.net.URI;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.ArchitectureValues;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;

/**
 * The utility AMI of the original fedimg configuration, registered in the emulator (after the emulator's
 * own resource reset it) and handed to the service as {@code fedimg.uploader.utility.amis.us-east-1.x86_64}.
 */
public class UtilityAmiResource implements QuarkusTestResourceLifecycleManager {

    public static final String REGION = "us-east-1";

    @Override
    public Map<String, String> start() {
        AwsEmulator aws = AwsEmulatorTestResource.emulator();
        return Map.of("fedimg.uploader.utility.amis." + REGION + ".x86_64", registerUtilityAmi(aws.endpoint(), REGION));
    }

    /** A small AMI standing for the utility image (an Amazon Linux-like host with curl and xz). */
    public static String registerUtilityAmi(URI endpoint, String region) {
        try (Ec2AsyncClient ec2 = Ec2AsyncClient.builder().endpointOverride(endpoint).region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
            String volume = ec2.createVolume(b -> b.availabilityZone(region + "a").size(1)).join().volumeId();
            String snapshot = ec2.createSnapshot(b -> b.volumeId(volume).description("utility root")).join().snapshotId();
            ec2.waiter().waitUntilSnapshotCompleted(b -> b.snapshotIds(snapshot)).join();
            ec2.deleteVolume(b -> b.volumeId(volume)).join();
            return ec2.registerImage(b -> b.name("fedimg-utility-" + System.nanoTime())
                    .architecture(ArchitectureValues.X86_64).rootDeviceName("/dev/xvda").virtualizationType("hvm")
                    .enaSupport(true)
                    .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
                            .ebs(EbsBlockDevice.builder().snapshotId(snapshot).volumeSize(1).build()).build()))
                    .join().imageId();
        }
    }

    @Override
    public int order() {
        // after AwsEmulatorTestResource, whose start() resets the emulator
        return 100;
    }

    @Override
    public void stop() {
        // the emulator is shared for the JVM
    }
}
