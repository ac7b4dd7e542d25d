package org.fedoraproject.fedimg.bridge.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.fedoraproject.fedimg.testing.TopicProbe;

/** Reads what the bridge wrote to Kafka, filtered to one test's composes or messages. */
final class Events {

    static final Duration WAIT = Duration.ofSeconds(60);

    private Events() {
    }

    static List<ImageReady> images(TopicProbe probe, String composeId, int atLeast) {
        return TopicProbe.decode(probe.readUntil(Topics.IMAGES, WAIT,
                all -> forCompose(all, composeId).size() >= atLeast), ImageReady.class).stream()
                .filter(e -> composeId.equals(e.composeId())).toList();
    }

    static List<ImageReady> imagesNow(TopicProbe probe, String composeId) {
        return forCompose(probe.readAll(Topics.IMAGES, Duration.ofSeconds(2)), composeId);
    }

    /** The first dead letter that matches, checked as written against dead-letter.v1.json. */
    static DeadLetter deadLetter(TopicProbe probe, Predicate<DeadLetter> which) {
        return DeadLetterContract.await(probe, WAIT, Map.of("dead letter", which)).get("dead letter");
    }

    static List<DeadLetter> deadLettersNow(TopicProbe probe, Predicate<DeadLetter> which) {
        return TopicProbe.decode(probe.readAll(Topics.DEAD_LETTER, Duration.ofSeconds(2)), DeadLetter.class).stream()
                .filter(which).toList();
    }

    private static List<ImageReady> forCompose(List<TopicProbe.Received> all, String composeId) {
        return TopicProbe.decode(all, ImageReady.class).stream().filter(e -> composeId.equals(e.composeId()))
                .toList();
    }
}
