package org.fedoraproject.fedimg.cli.replay;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * Decides what a replay of a compose sends, from the image events already on {@code fedimg.images}.
 * Without force it sends each image's latest event unchanged: every consumer treats it as a redelivery,
 * finds what it made last time and creates nothing new. With force it asks for new AMIs under the next
 * respin, a deterministic name that no earlier run used.
 */
public final class ComposeReplay {

    private ComposeReplay() {
    }

    /** The latest event of each image of the compose, in first-seen order. */
    public static List<ImageReady> latestPerImage(Collection<ImageReady> history, String composeId) {
        Map<String, ImageReady> latest = new LinkedHashMap<>();
        for (ImageReady e : history) {
            if (composeId.equals(e.composeId())) {
                latest.merge(e.imageKey(), e, (a, b) -> b.image().respin() >= a.image().respin() ? b : a);
            }
        }
        return List.copyOf(latest.values());
    }

    /** The events to send. {@code respin} is only used with force; empty means one above the highest seen. */
    public static List<ImageReady> plan(Collection<ImageReady> history, String composeId, boolean force,
            OptionalInt respin) {
        List<ImageReady> latest = latestPerImage(history, composeId);
        if (!force) {
            return latest;
        }
        return latest.stream().map(e -> {
            int next = respin.orElse(maxRespin(history, e.imageKey()) + 1);
            if (next <= maxRespin(history, e.imageKey())) {
                throw new IllegalArgumentException("respin " + next + " of " + e.imageKey()
                        + " was already used; a forced replay needs a new one");
            }
            ImageSpec i = e.image();
            ImageSpec respun = new ImageSpec(i.url(), i.fileName(), i.name(), i.sha256(), i.sizeBytes(), i.arch(),
                    i.release(), i.composeType(), i.variant(), i.subvariant(), next);
            return new ImageReady(EventIds.derived(e.eventId(), "respin", String.valueOf(next)), e.imageKey(),
                    e.composeId(), EventIds.derived(e.traceId(), "respin", String.valueOf(next)), java.time.Instant.now(),
                    respun, true, e.sourceMessageId());
        }).toList();
    }

    private static int maxRespin(Collection<ImageReady> history, String imageKey) {
        return history.stream().filter(e -> imageKey.equals(e.imageKey())).mapToInt(e -> e.image().respin()).max()
                .orElse(0);
    }
}
