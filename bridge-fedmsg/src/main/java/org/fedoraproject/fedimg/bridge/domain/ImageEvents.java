package org.fedoraproject.fedimg.bridge.domain;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * Turns the selected images of a compose into {@link ImageReady} events. Ids are derived from the bus
 * message id, so a redelivered message produces byte-identical events and consumers deduplicate them.
 */
public final class ImageEvents {

    private ImageEvents() {
    }

    /** What caused the events: the bus message (or manual trigger), forced or not, and the respin to use. */
    public record Cause(String messageId, boolean force, int respin) {
    }

    public static String traceId(String messageId, String composeId) {
        return EventIds.derived("trace", messageId, composeId);
    }

    public static List<ImageReady> forCompose(Cause cause, String composeId, String location, String release,
            String composeType, List<ComposeImage> selected, Instant now) {
        String trace = traceId(cause.messageId(), composeId);
        String base = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return selected.stream().map(image -> {
            String fileName = image.fileName();
            ImageSpec spec = new ImageSpec(base + "/" + image.path(), fileName, ReleaseNames.imageName(fileName),
                    image.sha256(), image.size(), image.arch(), release, composeType, image.variant(),
                    image.subvariant(), cause.respin());
            return event(cause, composeId, trace, spec, now);
        }).toList();
    }

    public static ImageReady event(Cause cause, String composeId, String traceId, ImageSpec spec, Instant now) {
        String imageKey = ImageKeys.of(composeId, spec.fileName());
        return new ImageReady(EventIds.derived(cause.messageId(), imageKey), imageKey, composeId, traceId, now, spec,
                cause.force(), cause.messageId());
    }
}
