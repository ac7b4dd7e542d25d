package org.fedoraproject.fedimg.lifecycle.domain;

import java.util.List;
import java.util.Optional;

/**
 * The configured streams. An AMI belongs to the most specific stream that matches its compose type and
 * release (one narrowed to the release before the compose type's own); an AMI of no stream is never demoted.
 */
public record Streams(List<Stream> all) {

    public Streams {
        all = List.copyOf(all);
    }

    public Optional<Stream> of(String composeType, String release) {
        return all.stream().filter(s -> s.release().isPresent() && s.matches(composeType, release)).findFirst()
                .or(() -> all.stream().filter(s -> s.release().isEmpty() && s.matches(composeType, release)).findFirst());
    }

    public Optional<Stream> of(ManagedAmi ami) {
        return of(ami.composeType(), ami.release());
    }
}
