package org.fedoraproject.fedimg.bridge.domain;

/** One entry of productmd images.json ({@code payload.images.<variant>.<arch>[]}). */
public record ComposeImage(
        String variant,
        String arch,
        String subvariant,
        String type,
        String format,
        String path,
        String sha256,
        long size) {

    public String fileName() {
        return ReleaseNames.lastSegment(path);
    }
}
