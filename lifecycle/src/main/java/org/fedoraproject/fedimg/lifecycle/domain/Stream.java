package org.fedoraproject.fedimg.lifecycle.domain;

import java.util.Optional;

/**
 * A compose type (nightly, test, production) optionally narrowed to one release, with its retention policy.
 *
 * @param name        the config name, e.g. {@code nightly}, {@code rawhide-nightly}
 * @param composeType productmd's compose type
 * @param release     when set, only composes of this release (e.g. {@code Rawhide}, {@code 41})
 */
public record Stream(String name, String composeType, Optional<String> release, RetentionPolicy policy) {

    public StreamKey key() {
        return new StreamKey(name, composeType, release);
    }

    public boolean matches(String composeType, String release) {
        return key().matches(composeType, release);
    }
}
