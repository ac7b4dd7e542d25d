package org.fedoraproject.fedimg.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoriesTest {

    @Test
    void aNewRunKeepsTheLastFewAndRemovesOlderOnes(@TempDir Path root) throws Exception {
        for (long t = 1_700_000_000_001L; t <= 1_700_000_000_006L; t++) {
            Files.createDirectories(root.resolve(t + "/compose/metadata"));
            Files.writeString(root.resolve(t + "/compose/metadata/images.json"), "{}");
        }
        Files.createDirectories(root.resolve("notes"));
        Files.writeString(root.resolve("README"), "mine");

        RunDirectories.Created run = new RunDirectories(root, 3).create(1_700_000_000_010L);

        assertThat(run.dir()).isEqualTo(root.resolve("1700000000010")).isEmptyDirectory();
        assertThat(run.removed()).extracting(p -> p.getFileName().toString())
                .containsExactly("1700000000001", "1700000000002", "1700000000003", "1700000000004");
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("1700000000005", "1700000000006", "1700000000010", "notes", "README");
        }
    }

    @Test
    void keepingOneRemovesEveryEarlierRun(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("1700000000001"));
        assertThat(new RunDirectories(root.resolve("local-run"), 1).create(1_700_000_000_002L).removed()).isEmpty();
        assertThat(new RunDirectories(root, 1).create(1_700_000_000_003L).removed()).hasSize(1);
    }
}
