package org.fedoraproject.fedimg.replicator.catalogue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImagePublished;

import io.smallrye.mutiny.Uni;

/**
 * The state of the compacted {@code fedimg.amis.published} topic in memory: the latest per-region
 * record per key ({@code image#variant@region}) and the latest aggregate per image. Filled from the
 * topic at start (so a restarted or new replica knows the same), then kept current by tailing the topic
 * and by the service's own acknowledged writes. It is both the catalogue and the replicator's memory of
 * which regions are done.
 */
public final class PublishedStore {

    private final Map<String, Map<String, AmiPublished>> amisByImage = new ConcurrentHashMap<>();
    private final Map<String, ImagePublished> images = new ConcurrentHashMap<>();
    private final Map<String, String> aggregateClaims = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    public void put(AmiPublished p) {
        amisByImage.computeIfAbsent(p.imageKey(), k -> new ConcurrentHashMap<>()).put(p.kafkaKey(), p);
    }

    public void put(ImagePublished p) {
        images.put(p.imageKey(), p);
    }

    /** A tombstone (null value) on the compacted topic. */
    public void remove(String kafkaKey) {
        String imageKey = ImageKeys.partitionPart(kafkaKey);
        if (kafkaKey.equals(imageKey)) {
            images.remove(imageKey);
        } else {
            Map<String, AmiPublished> m = amisByImage.get(imageKey);
            if (m != null) {
                m.remove(kafkaKey);
            }
        }
    }

    public void markLoaded() {
        loaded.complete(null);
    }

    public void markLoadFailed(Throwable t) {
        loaded.completeExceptionally(t);
    }

    public boolean isLoaded() {
        return loaded.isDone() && !loaded.isCompletedExceptionally();
    }

    /** Completes once the topic has been read up to where it ended at start. */
    public Uni<Void> whenLoaded() {
        return Uni.createFrom().completionStage(loaded);
    }

    public List<AmiPublished> records(String imageKey) {
        Map<String, AmiPublished> m = amisByImage.get(imageKey);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    public Optional<AmiPublished> record(String kafkaKey) {
        Map<String, AmiPublished> m = amisByImage.get(ImageKeys.partitionPart(kafkaKey));
        return m == null ? Optional.empty() : Optional.ofNullable(m.get(kafkaKey));
    }

    public Optional<ImagePublished> image(String imageKey) {
        return Optional.ofNullable(images.get(imageKey));
    }

    public Collection<ImagePublished> images() {
        return List.copyOf(images.values());
    }

    public List<AmiPublished> allRecords() {
        List<AmiPublished> all = new ArrayList<>();
        amisByImage.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    public Collection<String> imageKeys() {
        java.util.Set<String> keys = new java.util.TreeSet<>(amisByImage.keySet());
        keys.addAll(images.keySet());
        return keys;
    }

    /**
     * Lets exactly one in-flight job of this instance write a given aggregate: true if the caller should
     * write it. Two variants finishing together would otherwise both write it (harmless, same id, but noisy).
     */
    public boolean claimAggregate(String imageKey, String eventId) {
        ImagePublished current = images.get(imageKey);
        if (current != null && current.eventId().equals(eventId)) {
            return false;
        }
        return aggregateClaims.putIfAbsent(imageKey + "\u0000" + eventId, eventId) == null;
    }

    public void releaseAggregate(String imageKey, String eventId) {
        aggregateClaims.remove(imageKey + "\u0000" + eventId);
    }
}
