package org.fedoraproject.fedimg.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * How a service JVM gets its configuration without any value on its command line, where {@code ps} and
 * {@code /proc/<pid>/cmdline} show it to every user of the machine: the keys go into a properties file that
 * only this user can read (0600, created so), named to Quarkus by {@code QUARKUS_CONFIG_LOCATIONS} in the
 * child's environment. The file is removed once the service has started (Quarkus has read it by then).
 *
 * <p>The file's {@code config_ordinal} puts it above the environment (300) and the profile-specific keys of
 * {@code application.properties} (250), as {@code -D} did, and below system properties (400), so a
 * {@code -D} in {@code JAVA_TOOL_OPTIONS} still overrides it when debugging. {@code quarkus.profile} is read
 * before additional locations are loaded, so it alone goes into the environment ({@code QUARKUS_PROFILE});
 * it is no secret.
 */
public final class ServiceConfigFile {

    static final int ORDINAL = 350;
    static final String PROFILE = "quarkus.profile";

    private ServiceConfigFile() {
    }

    /** Writes every key but the profile to a new 0600 file in the temporary directory. */
    public static Path write(String service, Map<String, String> config) {
        Properties props = new Properties();
        config.forEach((k, v) -> {
            if (!PROFILE.equals(k)) {
                props.setProperty(k, v);
            }
        });
        props.setProperty("config_ordinal", String.valueOf(ORDINAL));
        try {
            Path file = Files.createTempFile("fedimg-" + service + "-", ".properties",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            file.toFile().deleteOnExit();
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                props.store(out, "configuration of " + service + " (fedimg ServiceProcess); removed once it started");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The variables that point the child at {@code file}; a {@code QUARKUS_CONFIG_LOCATIONS} inherited from this
     * process's environment is kept after it.
     */
    public static Map<String, String> environment(Path file, Map<String, String> config) {
        Map<String, String> env = new LinkedHashMap<>();
        String inherited = System.getenv("QUARKUS_CONFIG_LOCATIONS");
        env.put("QUARKUS_CONFIG_LOCATIONS", file.toUri() + (inherited == null || inherited.isBlank() ? "" : "," + inherited));
        if (config.containsKey(PROFILE)) {
            env.put("QUARKUS_PROFILE", config.get(PROFILE));
        }
        return env;
    }
}
