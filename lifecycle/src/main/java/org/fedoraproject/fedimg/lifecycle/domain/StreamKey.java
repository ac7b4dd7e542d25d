package org.fedoraproject.fedimg.lifecycle.domain;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;

/**
 * What makes a stream: a compose type, optionally narrowed to one release. Every per-stream setting (retention
 * here, the uploader's variants, the replicator's regions and sharing) finds its stream with {@link #mostSpecific},
 * so a compose belongs to the same stream in every service.
 *
 * @param name        the config name, e.g. {@code nightly}, {@code rawhide-nightly}
 * @param composeType productmd's compose type (nightly, test, production)
 * @param release     when set, only composes of this release (e.g. {@code Rawhide}, {@code 41})
 */
public record StreamKey(String name, String composeType, Optional<String> release) {

    public StreamKey {
        if (composeType == null || composeType.isBlank()) {
            throw new IllegalArgumentException("stream " + name + " has no compose-type");
        }
    }

    public boolean matches(String composeType, String release) {
        return this.composeType.equalsIgnoreCase(composeType == null ? "" : composeType)
                && this.release.map(r -> r.equalsIgnoreCase(release == null ? "" : release)).orElse(true);
    }

    /**
     * The stream a compose belongs to: one narrowed to its release before its compose type's own; none when no
     * stream has its compose type. Ties go to the first in {@code all}'s order.
     */
    public static <T> Optional<T> mostSpecific(Collection<T> all, Function<T, StreamKey> key, String composeType,
            String release) {
        return all.stream().filter(s -> key.apply(s).release().isPresent() && key.apply(s).matches(composeType, release))
                .findFirst()
                .or(() -> all.stream().filter(s -> key.apply(s).release().isEmpty() && key.apply(s).matches(composeType, release))
                        .findFirst());
    }
}
