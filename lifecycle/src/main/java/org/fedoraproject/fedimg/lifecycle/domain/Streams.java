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
        return StreamKey.mostSpecific(all, Stream::key, composeType, release);
    }

    public Optional<Stream> of(ManagedAmi ami) {
        return of(ami.composeType(), ami.release());
    }
}
