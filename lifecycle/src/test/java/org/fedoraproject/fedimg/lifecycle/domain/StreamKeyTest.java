package org.fedoraproject.fedimg.lifecycle.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** One classification for every per-stream setting: the release's own stream before its compose type's. */
class StreamKeyTest {

    static final List<StreamKey> KEYS = List.of(
            new StreamKey("nightly", "nightly", Optional.empty()),
            new StreamKey("rawhide-nightly", "nightly", Optional.of("Rawhide")),
            new StreamKey("production", "production", Optional.empty()));

    static Optional<String> of(String type, String release) {
        return StreamKey.mostSpecific(KEYS, Function.identity(), type, release).map(StreamKey::name);
    }

    @Test
    void theReleasesOwnStreamWinsOverItsComposeTypes() {
        assertThat(of("nightly", "rawhide")).contains("rawhide-nightly");
        assertThat(of("nightly", "41")).contains("nightly");
        assertThat(of("Production", "41")).contains("production");
    }

    @Test
    void aComposeTypeOfNoStreamBelongsToNone() {
        assertThat(of("test", "41")).isEmpty();
        assertThat(of(null, null)).isEmpty();
    }

    @Test
    void retentionStreamsClassifyTheSameWay() {
        Streams streams = new Streams(KEYS.stream().map(k -> new Stream(k.name(), k.composeType(), k.release(),
                RetentionPolicy.forever())).toList());
        for (String[] c : new String[][] { { "nightly", "Rawhide" }, { "nightly", "41" }, { "production", "40" }, { "test", "41" } }) {
            assertThat(streams.of(c[0], c[1]).map(Stream::name)).as("%s %s", c[0], c[1]).isEqualTo(of(c[0], c[1]));
        }
    }

    @Test
    void aStreamNeedsAComposeType() {
        assertThatThrownBy(() -> new StreamKey("x", " ", Optional.empty())).hasMessageContaining("compose-type");
    }
}
