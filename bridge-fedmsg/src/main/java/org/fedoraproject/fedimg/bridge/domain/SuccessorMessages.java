package org.fedoraproject.fedimg.bridge.domain;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * fedora-image-uploader's {@code fedora_image_uploader.published.v1.aws} message: one per image once it is
 * public, with {@code regions} = region → AMI id of one public variant (by default the unencrypted
 * hvm/gp3 AMI, the one users launch). Topic {@code <prefix>.<env>.fedora_image_uploader.published.v1.aws.
 * <subvariant>.<release>.<arch>} as on the wire in 2024 ({@code ...aws.Cloud_Base.41.x86_64}).
 */
public final class SuccessorMessages {

    public static final String SCHEMA = "fedora_image_uploader.published.v1.aws";
    public static final String SCHEMA_PACKAGE = "fedora_image_uploader_messages";

    private final String topicPrefix;
    private final String environment;
    private final String variantSlug;
    private final Optional<Integer> rawhideRelease;

    public SuccessorMessages(String topicPrefix, String environment, String variantSlug,
            Optional<Integer> rawhideRelease) {
        this.topicPrefix = topicPrefix;
        this.environment = environment;
        this.variantSlug = variantSlug;
        this.rawhideRelease = rawhideRelease;
    }

    /** The message, or why there is none (not public, no AMI of the variant, no numeric release). */
    public Result of(ImagePublished p) {
        if (p.outcome() != ImageOutcome.COMPLETE && p.outcome() != ImageOutcome.PARTIAL) {
            return Result.none("outcome " + p.outcome() + " is not public");
        }
        Map<String, Object> regions = new TreeMap<>();
        if (p.regions() != null) {
            for (ImagePublished.Result r : p.regions()) {
                if (variantSlug.equals(r.variant()) && r.outcome() == RegionOutcome.PUBLISHED && r.isPublic()
                        && r.amiId() != null) {
                    regions.put(r.region(), r.amiId());
                }
            }
        }
        if (regions.isEmpty()) {
            return Result.none("no public " + variantSlug + " AMI");
        }
        String release = p.image().release();
        Integer releaseNumber = release != null && release.matches("\\d+") ? Integer.valueOf(release)
                : rawhideRelease.orElse(null);
        if (releaseNumber == null) {
            return Result.none("release '" + release + "' is not a number and fedimg.bridge.outbound.successor.rawhide-release"
                    + " is not set");
        }
        String topicRelease = release == null ? String.valueOf(releaseNumber) : release.toLowerCase(Locale.ROOT);
        String topic = topicPrefix + "." + environment + "." + SCHEMA + "." + p.image().subvariant() + "."
                + topicRelease + "." + p.image().arch();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("architecture", p.image().arch());
        body.put("compose_id", p.composeId());
        body.put("image_name", p.image().name());
        body.put("regions", regions);
        body.put("release", releaseNumber);
        body.put("subvariant", p.image().subvariant());
        return new Result(Optional.of(new BusMessage(EventIds.derived(p.eventId(), topic), topic, body, SCHEMA,
                SCHEMA_PACKAGE, BusMessage.INFO)), null);
    }

    public record Result(Optional<BusMessage> message, String skippedBecause) {
        static Result none(String why) {
            return new Result(Optional.empty(), why);
        }
    }
}
