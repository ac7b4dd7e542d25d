package org.fedoraproject.fedimg.replicator.support;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.fedoraproject.fedimg.testing.TopicProbe.Received;

/** Reads what the replicator wrote, for one image. */
public final class Topics {

    private final TopicProbe probe;

    public Topics(TopicProbe probe) {
        this.probe = probe;
    }

    public TopicProbe probe() {
        return probe;
    }

    /** Waits for the image aggregate; returns every published record of the image (per-region and aggregate). */
    public List<Received> awaitAggregate(String imageKey, Duration timeout) {
        return probe.readUntil(org.fedoraproject.fedimg.events.Topics.AMIS_PUBLISHED, timeout,
                all -> !images(all, imageKey).isEmpty());
    }

    public static List<ImagePublished> images(List<Received> records, String imageKey) {
        return TopicProbe.decode(records, ImagePublished.class).stream().filter(p -> imageKey.equals(p.imageKey())).toList();
    }

    public static List<AmiPublished> amis(List<Received> records, String imageKey) {
        return TopicProbe.decode(records, AmiPublished.class).stream().filter(p -> imageKey.equals(p.imageKey())).toList();
    }

    public ImagePublished aggregate(String imageKey, Duration timeout) {
        List<ImagePublished> found = images(awaitAggregate(imageKey, timeout), imageKey);
        return found.get(found.size() - 1);
    }

    public List<AmiPublished> amis(String imageKey, Predicate<List<AmiPublished>> done, Duration timeout) {
        return amis(probe.readUntil(org.fedoraproject.fedimg.events.Topics.AMIS_PUBLISHED, timeout,
                all -> done.test(amis(all, imageKey))), imageKey);
    }

    public List<StageStatus> statuses(String imageKey, Predicate<List<StageStatus>> done, Duration timeout) {
        return TopicProbe.decode(probe.readUntil(org.fedoraproject.fedimg.events.Topics.STATUS, timeout,
                all -> done.test(TopicProbe.decode(all, StageStatus.class).stream()
                        .filter(s -> imageKey.equals(s.imageKey())).toList())), StageStatus.class)
                .stream().filter(s -> imageKey.equals(s.imageKey())).toList();
    }

    public List<DeadLetter> deadLetters(Predicate<DeadLetter> which, Duration timeout) {
        return TopicProbe.decode(probe.readUntil(org.fedoraproject.fedimg.events.Topics.DEAD_LETTER, timeout,
                all -> TopicProbe.decode(all, DeadLetter.class).stream().anyMatch(which)), DeadLetter.class)
                .stream().filter(which).toList();
    }
}
