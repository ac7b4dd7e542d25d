package org.fedoraproject.fedimg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The operator command carries no test code: its runtime classpath ({@code target/lib}, which {@code ./fedimg}
 * runs) holds no test framework and not the {@code testing} module. Reads the runtime dependencies Maven resolved
 * for this build ({@code dependency:list}, the same scope that {@code copy-libs} copies into {@code target/lib}).
 */
class RuntimeClasspathTest {

    /** group:artifact of what only tests may use. */
    private static final Pattern TEST_CODE = Pattern.compile(
            "^(org\\.junit[^:]*|org\\.assertj|org\\.awaitility|org\\.opentest4j|org\\.mockito"
                    + "|org\\.fedoraproject\\.fedimg:fedimg-testing|io\\.quarkus:quarkus-(junit5?|test-common)"
                    + "|io\\.opentelemetry:opentelemetry-sdk-testing)(:.*)?$");

    @Test
    void theOperatorCommandsRuntimeClasspathHoldsNoTestCode() throws IOException {
        List<String> runtime = runtimeDependencies();
        assertThat(runtime).as("the cli's runtime dependencies").isNotEmpty()
                .anyMatch(d -> d.startsWith("org.fedoraproject.fedimg:fedimg-local-runtime:"))
                .anyMatch(d -> d.startsWith("org.apache.kafka:kafka-clients:"));
        assertThat(runtime).as("test code on the operator command's runtime classpath")
                .noneMatch(d -> TEST_CODE.matcher(d).matches());
    }

    @Test
    void theCheckRecognisesTestCode() {
        assertThat(List.of("org.junit.jupiter:junit-jupiter-api:jar:5.12.2:compile",
                "org.junit.platform:junit-platform-commons:jar:1.12.2:runtime",
                "org.assertj:assertj-core:jar:3.27.3:compile", "org.awaitility:awaitility:jar:4.2.2:compile",
                "org.fedoraproject.fedimg:fedimg-testing:jar:1.0.0-SNAPSHOT:compile",
                "io.quarkus:quarkus-junit5:jar:3.33.2:compile"))
                .allMatch(d -> TEST_CODE.matcher(d).matches());
        assertThat(List.of("org.fedoraproject.fedimg:aws-emulator:jar:1.0.0-SNAPSHOT:compile",
                "org.fedoraproject.fedimg:fedimg-local-runtime:jar:1.0.0-SNAPSHOT:compile"))
                .noneMatch(d -> TEST_CODE.matcher(d).matches());
    }

    /** {@code group:artifact:type:version:scope} per line, as {@code dependency:list} writes them. */
    private static List<String> runtimeDependencies() throws IOException {
        String file = System.getProperty("fedimg.cli.runtime-dependencies");
        assertThat(file).as("fedimg.cli.runtime-dependencies (set by cli/pom.xml)").isNotNull();
        Path list = Path.of(file);
        assertThat(list).as("written by the list-runtime-dependencies execution in cli/pom.xml").exists();
        return Files.readAllLines(list).stream().map(String::trim)
                .filter(l -> l.chars().filter(c -> c == ':').count() >= 4)
                .map(l -> l.split("\\s+")[0]).toList();
    }
}
