package org.fedoraproject.fedimg.uploader.domain;

/** Sizes in EBS terms. */
public final class VolumeSize {

    public static final long GIB = 1024L * 1024 * 1024;

    private VolumeSize() {
    }

    /** The smallest whole number of GiB holding {@code bytes}, at least {@code minimumGib}. */
    public static int gibFor(long bytes, int minimumGib) {
        long gib = (bytes + GIB - 1) / GIB;
        return (int) Math.max(gib, minimumGib);
    }
}
