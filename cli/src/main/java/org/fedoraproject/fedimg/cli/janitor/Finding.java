package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The janitor's decision about one fedimg-tagged resource.
 *
 * @param dependsOn for a snapshot of a leaked AMI: that AMI, which must be deregistered first
 */
public record Finding(Resource resource, Action action, String reason, Optional<String> dependsOn) {

    public enum Action {
        /** A leak: deleted with {@code --delete}. */
        DELETE,
        /** Undated by EC2: tagged first-seen with {@code --delete}, deleted by a run after the grace period. */
        MARK,
        /** Not a leak, or not provably one. */
        KEEP
    }

    public static Finding keep(Resource r, String reason) {
        return new Finding(r, Action.KEEP, reason, Optional.empty());
    }

    public static Finding delete(Resource r, String reason) {
        return new Finding(r, Action.DELETE, reason, Optional.empty());
    }

    public Optional<Duration> age(Instant now) {
        return resource.created().map(c -> Duration.between(c, now));
    }
}
