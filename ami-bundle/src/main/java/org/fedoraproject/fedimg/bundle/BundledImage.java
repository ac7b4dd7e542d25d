package org.fedoraproject.fedimg.bundle;

import java.util.List;

/**
 * What {@link BundleWriter} made, and what the manifest states about it.
 *
 * @param imageDigestSha1Hex SHA-1 of the tar stream (before gzip), as the AMI tools' {@code image/digest}
 * @param bundledSize bytes of the encrypted stream, the sum of the parts' sizes
 */
public record BundledImage(String name, long imageSize, String imageDigestSha1Hex, long bundledSize,
        List<PartInfo> parts) {

    public BundledImage {
        parts = List.copyOf(parts);
    }
}
