package org.fedoraproject.fedimg.cli.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class StreamsFileTest {

    @Test
    void theBundledDefaultsAreTheReplicatorsOwn() throws IOException {
        Path replicator = Path.of("..", "replicator-service", "src", "main", "resources", "application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(replicator)) {
            p.load(r);
        }
        assertThat(StreamsFile.read(Optional.empty())).isEqualTo(StreamsFile.parse(p));
    }

    @Test
    void releasesAreNeverDemotedUnlessSaid() {
        Properties p = new Properties();
        p.setProperty("fedimg.replicator.streams.production.compose-type", "production");
        p.setProperty("fedimg.replicator.streams.rawhide.compose-type", "nightly");
        p.setProperty("fedimg.replicator.streams.rawhide.release", "Rawhide");
        p.setProperty("fedimg.replicator.streams.rawhide.keep-public", "2");
        p.setProperty("fedimg.replicator.streams.rawhide.deregister-after", "P10D");
        var streams = StreamsFile.parse(p);
        assertThat(streams.of("production", "41").orElseThrow().policy().demote()).isFalse();
        var rawhide = streams.of("nightly", "Rawhide").orElseThrow().policy();
        assertThat(rawhide.demote()).isTrue();
        assertThat(rawhide.keepPublic()).isEqualTo(2);
        assertThat(rawhide.deregisterAfter()).contains(Duration.ofDays(10));
        assertThat(streams.of("nightly", "41")).isEmpty();
    }

    @Test
    void aStreamWithoutComposeTypeIsRefused() {
        Properties p = new Properties();
        p.setProperty("fedimg.replicator.streams.x.keep-public", "2");
        assertThatThrownBy(() -> StreamsFile.parse(p)).hasMessageContaining("compose-type");
    }
}
