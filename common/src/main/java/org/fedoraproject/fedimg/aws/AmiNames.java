package org.fedoraproject.fedimg.aws;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * Deterministic AMI and snapshot names: the image name plus the variant, plus {@code -respinN} only
 * when an operator forced a re-upload. Never a counter: a re-run must find what the last run made.
 * The same name is used in every region.
 */
public final class AmiNames {

    private AmiNames() {
    }

    public static String ami(ImageSpec image, AmiVariant variant) {
        return base(image) + "-" + variant.slug();
    }

    public static String snapshot(ImageSpec image) {
        return base(image);
    }

    private static String base(ImageSpec image) {
        return image.respin() > 0 ? image.name() + "-respin" + image.respin() : image.name();
    }
}
