package org.fedoraproject.fedimg.aws;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * The tags on every AWS resource fedimg creates. {@link #CREATED_BY} = {@code fedimg} is what the janitor
 * searches for; {@link #IMAGE_KEY} and {@link #PURPOSE} tell it which job a resource belongs to.
 */
public final class AwsTags {
    public static final String CREATED_BY = "fedimg:created-by";
    public static final String CREATED_BY_VALUE = "fedimg";
    public static final String IMAGE_KEY = "fedimg:image-key";
    public static final String COMPOSE_ID = "fedimg:compose-id";
    public static final String SHA256 = "fedimg:sha256";
    public static final String RELEASE = "fedimg:release";
    public static final String ARCH = "fedimg:arch";
    public static final String VARIANT = "fedimg:variant";
    public static final String RESPIN = "fedimg:respin";
    /** What the resource is for: image, snapshot, utility-instance, utility-volume, test-instance, test-key, test-sg. */
    public static final String PURPOSE = "fedimg:purpose";
    /** Set on AMIs only after their checksum was verified and their test passed (replicator invariant). */
    public static final String TEST_VERDICT = "fedimg:test";
    public static final String SOURCE_AMI = "fedimg:source-ami";
    public static final String NAME = "Name";
    /** productmd's compose type (nightly, test, production): which retention stream a published AMI is in. */
    public static final String COMPOSE_TYPE = "fedimg:compose-type";
    /** When the AMI passed its test (ISO-8601): the age retention counts from, the same in every region. */
    public static final String TESTED_AT = "fedimg:tested-at";
    /** Set by an operator (any value): the AMI is never made private, disabled or deregistered by fedimg. */
    public static final String KEEP = "fedimg:keep";
    /**
     * Set by the replicator on an AMI it is about to make private for room under the public AMI quota: the id of the
     * AMI it made room for. A replicator that crashed before announcing the demotion finds it again by this tag.
     */
    public static final String DEMOTED_FOR = "fedimg:demoted-for";

    private AwsTags() {
    }

    /** The tags every resource for this image carries. */
    public static Map<String, String> forImage(String imageKey, String composeId, ImageSpec image, String purpose) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(CREATED_BY, CREATED_BY_VALUE);
        tags.put(IMAGE_KEY, imageKey);
        tags.put(COMPOSE_ID, composeId);
        tags.put(SHA256, image.sha256());
        tags.put(RELEASE, String.valueOf(image.release()));
        tags.put(ARCH, image.arch());
        tags.put(RESPIN, String.valueOf(image.respin()));
        tags.put(PURPOSE, purpose);
        return tags;
    }

    public static Map<String, String> forAmi(String imageKey, String composeId, ImageSpec image, AmiVariant variant,
            String purpose) {
        Map<String, String> tags = forImage(imageKey, composeId, image, purpose);
        tags.put(VARIANT, variant.slug());
        return tags;
    }
}
