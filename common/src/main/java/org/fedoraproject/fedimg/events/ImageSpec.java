package org.fedoraproject.fedimg.events;

/**
 * One image of a compose, as the compose metadata (productmd images.json) describes it.
 *
 * @param url       location + "/" + path in images.json
 * @param fileName  the last path segment, e.g. {@code Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz}
 * @param name      the file name without {@code .raw.xz}; AMI names start with it
 * @param sha256    hex digest of the compressed file, from the compose metadata
 * @param sizeBytes size of the compressed file, from the compose metadata
 * @param arch      the compose arch: {@code x86_64} or {@code aarch64}
 * @param respin    0 normally; a forced re-upload uses a higher, operator-chosen respin so its names differ
 */
public record ImageSpec(
        String url,
        String fileName,
        String name,
        String sha256,
        long sizeBytes,
        String arch,
        String release,
        String composeType,
        String variant,
        String subvariant,
        int respin) {

    /** EC2's architecture name for this image's arch. */
    public String ec2Architecture() {
        return "aarch64".equals(arch) ? "arm64" : arch;
    }
}
