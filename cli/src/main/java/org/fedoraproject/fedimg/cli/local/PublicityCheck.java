package org.fedoraproject.fedimg.cli.local;

import org.fedoraproject.fedimg.aws.support.AwsClients;

import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

/**
 * Asks EC2 itself whether an AMI is usable by everyone: its launch permission and its snapshot's
 * create-volume permission both include group {@code all}. Works the same on the emulator and on AWS.
 */
public final class PublicityCheck {

    private final AwsClients aws;

    public PublicityCheck(AwsClients aws) {
        this.aws = aws;
    }

    public boolean isPublic(String region, String amiId) {
        if (amiId == null) {
            return false;
        }
        var ec2 = aws.ec2(region);
        boolean launch = ec2.describeImageAttribute(b -> b.imageId(amiId).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                .join().launchPermissions().stream().map(LaunchPermission::group).anyMatch(PermissionGroup.ALL::equals);
        var image = ec2.describeImages(b -> b.imageIds(amiId)).join().images().get(0);
        boolean snapshots = image.blockDeviceMappings().stream()
                .filter(m -> m.ebs() != null && m.ebs().snapshotId() != null)
                .allMatch(m -> ec2.describeSnapshotAttribute(b -> b.snapshotId(m.ebs().snapshotId())
                        .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join()
                        .createVolumePermissions().stream().map(CreateVolumePermission::group)
                        .anyMatch(PermissionGroup.ALL::equals));
        return launch && snapshots;
    }
}
