package org.fedoraproject.fedimg.events;

import java.util.List;

/**
 * A registered AMI in one region.
 *
 * @param checksumVerified the image's size and SHA-256 matched the compose metadata before the snapshot was written
 * @param shareWithAccounts encrypted AMIs are shared with these accounts instead of being made public
 */
public record AmiRef(
        String region,
        String amiId,
        String amiName,
        String snapshotId,
        String ec2Architecture,
        AmiVariant variant,
        String kmsKeyId,
        List<String> shareWithAccounts,
        boolean checksumVerified) {
}
