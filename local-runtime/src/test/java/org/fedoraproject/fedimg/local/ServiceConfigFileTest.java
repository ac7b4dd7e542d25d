package org.fedoraproject.fedimg.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

class ServiceConfigFileTest {

    @Test
    void everyKeyButTheProfileGoesIntoAFileOnlyTheOwnerCanRead() throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.profile", "local");
        config.put("fedimg.bridge.amqp.url", "amqp://fedimg:p=ss:w#rd@127.0.0.1:5672/%2F");
        config.put("fedimg.bridge.fedmsg.validation.routing-policy.\"org.fedoraproject.prod.x\"", "a, b");
        config.put("%local.fedimg.bridge.environment", "dev\nnext line");
        Path file = ServiceConfigFile.write("bridge", config);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            Properties read = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                read.load(in);
            }
            Map<String, String> expected = new LinkedHashMap<>(config);
            expected.remove("quarkus.profile");
            expected.put("config_ordinal", "350");
            assertThat(read).containsExactlyInAnyOrderEntriesOf(expected);

            Map<String, String> env = ServiceConfigFile.environment(file, config);
            assertThat(env).containsEntry("QUARKUS_PROFILE", "local");
            assertThat(env.get("QUARKUS_CONFIG_LOCATIONS")).startsWith(file.toUri().toString());
            assertThat(String.join(" ", env.values())).doesNotContain("p=ss:w#rd");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
