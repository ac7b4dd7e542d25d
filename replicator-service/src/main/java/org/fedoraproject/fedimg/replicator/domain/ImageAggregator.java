package org.fedoraproject.fedimg.replicator.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * Decides whether every region of every variant of an image is done and, if so, builds the one
 * {@link ImagePublished}. Works only from the per-region records (what the compacted topic holds), so
 * whichever job finishes last, before or after a restart, reaches the same aggregate with the same id.
 */
public final class ImageAggregator {

    /** A variant the image has in the base region, and the AMI its results must be copies of. */
    public record ExpectedVariant(String slug, String sourceAmiId) {
    }

    /** Identity of the image the aggregate is about. */
    public record ImageRef(String imageKey, String composeId, String traceId, ImageSpec image) {
    }

    private ImageAggregator() {
    }

    /**
     * @param expected the variants the image has (each must be done)
     * @param regions  every region a variant is expected to have a result for
     * @param records  the per-region records known for this image (any variant, any age)
     * @return the aggregate, or empty while some variant or region has no result yet
     */
    public static Optional<ImagePublished> aggregate(ImageRef image, Collection<ExpectedVariant> expected,
            Set<String> regions, Collection<AmiPublished> records) {
        if (expected.isEmpty()) {
            return Optional.empty();
        }
        List<AmiPublished> used = new ArrayList<>();
        boolean anyRejected = false;
        boolean allRejected = true;
        for (ExpectedVariant v : expected) {
            List<AmiPublished> mine = records.stream()
                    .filter(r -> r.sourceAmi() != null && r.sourceAmi().variant() != null)
                    .filter(r -> v.slug().equals(r.sourceAmi().variant().slug()))
                    .filter(r -> v.sourceAmiId().equals(r.sourceAmi().amiId()))
                    .toList();
            Optional<AmiPublished> rejection = mine.stream().filter(Rejections::isRejection).findFirst();
            if (rejection.isPresent()) {
                anyRejected = true;
                used.add(rejection.get());
                continue;
            }
            allRejected = false;
            Map<String, AmiPublished> byRegion = mine.stream()
                    .collect(Collectors.toMap(AmiPublished::region, Function.identity(), ImageAggregator::newer));
            if (!byRegion.keySet().containsAll(regions)) {
                return Optional.empty();
            }
            regions.forEach(r -> used.add(byRegion.get(r)));
        }
        used.sort(Comparator.comparing((AmiPublished p) -> p.sourceAmi().variant().slug()).thenComparing(AmiPublished::region));
        List<ImagePublished.Result> results = used.stream().map(ImageAggregator::result).toList();
        ImageOutcome outcome = outcome(results, anyRejected, allRejected);
        Instant time = used.stream().map(AmiPublished::time).max(Comparator.naturalOrder()).orElseThrow();
        // A region that fails again when a redelivered event retries it (a new failed copy, a new reason) is
        // the same outcome: the aggregate keeps its id, so it is not announced on the bus a second time.
        String id = EventIds.derived(image.imageKey(), "image-published", used.stream()
                .map(p -> p.outcome() == RegionOutcome.FAILED ? "failed:" + p.sourceAmi().variant().slug() + "@" + p.region()
                        : p.eventId())
                .collect(Collectors.joining(",")));
        return Optional.of(new ImagePublished(id, image.imageKey(), image.composeId(), image.traceId(), time,
                image.image(), outcome, results, reason(outcome, results)));
    }

    static ImageOutcome outcome(List<ImagePublished.Result> results, boolean anyRejected, boolean allRejected) {
        if (allRejected) {
            return ImageOutcome.REJECTED;
        }
        long ok = results.stream().filter(r -> r.outcome() != RegionOutcome.FAILED).count();
        if (ok == 0) {
            return ImageOutcome.FAILED;
        }
        return ok == results.size() && !anyRejected ? ImageOutcome.COMPLETE : ImageOutcome.PARTIAL;
    }

    private static String reason(ImageOutcome outcome, List<ImagePublished.Result> results) {
        List<ImagePublished.Result> failed = results.stream().filter(r -> r.outcome() == RegionOutcome.FAILED).toList();
        return switch (outcome) {
            case COMPLETE -> null;
            case REJECTED -> failed.stream().map(ImagePublished.Result::reason).collect(Collectors.toCollection(LinkedHashSet::new))
                    .stream().collect(Collectors.joining("; "));
            case PARTIAL, FAILED -> failed.size() + " of " + results.size() + " region results failed: "
                    + failed.stream().map(r -> r.region() + " (" + r.variant() + ")").collect(Collectors.joining(", "));
        };
    }

    private static ImagePublished.Result result(AmiPublished p) {
        return new ImagePublished.Result(p.region(), p.sourceAmi().variant().slug(), p.amiId(), p.snapshotId(),
                p.isPublic(), p.outcome(), p.reason());
    }

    private static AmiPublished newer(AmiPublished a, AmiPublished b) {
        return b.time().isAfter(a.time()) ? b : a;
    }
}
