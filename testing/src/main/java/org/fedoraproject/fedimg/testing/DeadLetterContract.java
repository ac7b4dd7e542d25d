package org.fedoraproject.fedimg.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.messaging.EventJson;

/**
 * The services' dead-letter contract tests: wait until the service wrote a dead letter for each expected bad
 * input, and check every one of those records, as the bytes on the topic, against {@code dead-letter.v1.json}.
 */
public final class DeadLetterContract {

    private DeadLetterContract() {
    }

    /** The same, on {@code fedimg.dead-letter}. */
    public static Map<String, DeadLetter> await(TopicProbe probe, Duration timeout,
            Map<String, Predicate<DeadLetter>> expected) {
        return await(probe, Topics.DEAD_LETTER, timeout, expected);
    }

    /**
     * @param topic    the dead-letter topic (tests may give each run its own)
     * @param expected a name per bad input (for messages) and how to recognise its dead letter
     * @return the dead letter of each expected input, by name, each valid against the schema
     */
    public static Map<String, DeadLetter> await(TopicProbe probe, String topic, Duration timeout,
            Map<String, Predicate<DeadLetter>> expected) {
        List<TopicProbe.Received> records = probe.readUntil(topic, timeout,
                all -> match(all, expected).size() == expected.size());
        Map<String, TopicProbe.Received> matched = match(records, expected);
        List<String> problems = new ArrayList<>();
        Map<String, DeadLetter> letters = new LinkedHashMap<>();
        matched.forEach((name, record) -> {
            List<String> invalid = EventSchemas.problems(EventType.DEAD_LETTER, record.value());
            if (!invalid.isEmpty()) {
                problems.add(name + ": " + invalid + " in " + record.valueAsString());
            }
            letters.put(name, EventJson.read(record.value(), DeadLetter.class));
        });
        if (!problems.isEmpty()) {
            throw new AssertionError("dead letters that break dead-letter.v1.json: " + problems);
        }
        return letters;
    }

    private static Map<String, TopicProbe.Received> match(List<TopicProbe.Received> records,
            Map<String, Predicate<DeadLetter>> expected) {
        Map<String, TopicProbe.Received> found = new LinkedHashMap<>();
        String ceType = EventType.DEAD_LETTER.ceType();
        for (TopicProbe.Received r : records) {
            if (!ceType.equals(r.headers().get("ce_type"))) {
                continue;
            }
            DeadLetter letter = EventJson.read(r.value(), DeadLetter.class);
            expected.forEach((name, which) -> {
                if (!found.containsKey(name) && which.test(letter)) {
                    found.put(name, r);
                }
            });
        }
        return found;
    }
}
