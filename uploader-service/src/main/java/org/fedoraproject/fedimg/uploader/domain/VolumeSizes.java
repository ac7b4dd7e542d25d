package org.fedoraproject.fedimg.uploader.domain;

/** EBS volumes come in whole GiB; an image needs the smallest volume that holds all its bytes. */
public final class VolumeSizes {

    private static final long GIB = 1L << 30;
    /** EBS's largest gp3/standard volume is 16 TiB; an index claiming more is not an image. */
    static final int MAX_GIB = 16 * 1024;

    private VolumeSizes() {
    }

    /** Whole GiB holding {@code bytes}, at least 1; 0 when the size is not plausible. */
    public static int gibFor(long bytes) {
        if (bytes <= 0) {
            return 0;
        }
        long gib = (bytes + GIB - 1) / GIB;
        return gib > MAX_GIB ? 0 : (int) gib;
    }
}
