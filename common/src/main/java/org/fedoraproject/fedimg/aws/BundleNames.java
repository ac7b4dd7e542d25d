package org.fedoraproject.fedimg.aws;

import java.util.regex.Pattern;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * Where an image's instance-store bundle lives in S3 (issue 22), deterministic so that a re-run finds what a
 * crashed run left and the janitor finds every leak: one bucket per account and region
 * ({@code <bucket-prefix>-<account>-<region>}), and under {@link #KEY_PREFIX} one folder per image (its AMI
 * base name, with the respin). Inside it: the signed bundle plan, the parts, and one manifest per
 * instance-store variant (the parts are the same for HVM and paravirtual; only the manifest's machine
 * configuration differs).
 */
public final class BundleNames {

    /** Every object fedimg writes into a bundle bucket starts with this: the janitor lists it. */
    public static final String KEY_PREFIX = "fedimg/";
    public static final String DEFAULT_BUCKET_PREFIX = "fedimg-bundles";
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

    private BundleNames() {
    }

    /** The region's bundle bucket; S3's rules (3-63 of lowercase letters, digits, hyphens) are checked. */
    public static String bucket(String bucketPrefix, String accountId, String region) {
        String name = bucketPrefix + "-" + accountId + "-" + region;
        if (!BUCKET.matcher(name).matches() || name.contains("--")) {
            throw new IllegalArgumentException("not a valid S3 bucket name: " + name);
        }
        return name;
    }

    /** The bundle's name: the tar entry, the parts' prefix and the manifest's image name. */
    public static String bundle(ImageSpec image) {
        return AmiNames.snapshot(image);
    }

    /** The image's folder, ending in a slash. */
    public static String folder(ImageSpec image) {
        return KEY_PREFIX + bundle(image) + "/";
    }

    public static String plan(ImageSpec image) {
        return folder(image) + bundle(image) + ".bundle-plan";
    }

    public static String part(ImageSpec image, String partFileName) {
        return folder(image) + partFileName;
    }

    /** One manifest per variant, beside the parts it lists (EC2 reads the parts from the manifest's folder). */
    public static String manifest(ImageSpec image, AmiVariant variant) {
        return folder(image) + AmiNames.ami(image, variant) + ".manifest.xml";
    }
}
