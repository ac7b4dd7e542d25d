package org.fedoraproject.fedimg.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every YAML and JSON file of the deployment material parses, and there is material at all. */
class MaterialParsesTest {

    @Test
    void everyYamlFileParses() {
        List<Path> files = Material.files(Paths.DEPLOY, ".yaml", ".yml");
        assertThat(files).hasSizeGreaterThan(20);
        for (Path f : files) {
            assertThatCode(() -> assertThat(Material.yamlDocuments(f)).as(f.toString()).isNotEmpty())
                    .as(f.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void everyJsonFileParses() {
        List<Path> files = Material.files(Paths.DEPLOY, ".json");
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("uploader-policy.json", "tester-policy.json", "replicator-policy.json",
                        "janitor-policy.json", "fedimg-pipeline.json");
        for (Path f : files) {
            assertThatCode(() -> Material.json(f)).as(f.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void envFilesAreKeyValueLines() {
        List<Path> files = Material.files(Paths.DEPLOY, ".env", ".env.example");
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            assertThat(Material.envFile(f)).as(f.toString()).isNotEmpty();
        }
    }
}
