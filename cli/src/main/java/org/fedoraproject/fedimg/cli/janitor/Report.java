package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one janitor run.
 *
 * @param errors region (or {@code kafka}) -> why it could not be read; any error means nothing was deleted
 */
public record Report(
        Instant now,
        Duration grace,
        boolean delete,
        boolean kafkaConsulted,
        List<String> regions,
        Plan plan,
        List<Outcome> outcomes,
        Map<String, String> errors) {

    public static final int OK = 0;
    /** Some deletion failed; the rest was done. */
    public static final int DELETE_FAILED = 1;
    /** A region or Kafka could not be read; nothing was deleted. */
    public static final int INCOMPLETE = 3;

    public int exitCode() {
        if (!errors.isEmpty()) {
            return INCOMPLETE;
        }
        return outcomes.stream().anyMatch(o -> o.status().failed()) ? DELETE_FAILED : OK;
    }

    public Optional<Outcome> outcome(Finding f) {
        return outcomes.stream().filter(o -> o.finding().equals(f)).findFirst();
    }
}
