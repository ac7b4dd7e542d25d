package org.fedoraproject.fedimg.cli.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services' settings in local mode. Local mode's own defaults depend on where things run on this machine
 * (the bus, the run's environment, the test script); every key of {@code --config} wins over them.
 */
public final class LocalConfig {

    static final String ENVIRONMENT_KEY = "fedimg.bridge.environment";
    static final String TOPIC_PREFIX_KEY = "fedimg.bridge.topic-prefix";
    static final String SOURCES_KEY = "fedimg.sources.allowed";
    /** Fedora's compose hosts and local mode's own compose server (LocalCompose, on loopback). */
    static final String LOCAL_SOURCES = "https://kojipkgs.fedoraproject.org/compose/,https://dl.fedoraproject.org/pub/,"
            + "http://127.0.0.1:*/";

    private LocalConfig() {
    }

    /** The local-mode AMI test script, written next to the compose so the tester can read it. */
    public static Path testScript(Path work) {
        Path script = work.resolve("test-ami.sh");
        try (var in = LocalConfig.class.getResourceAsStream("/local/test-ami.sh")) {
            java.nio.file.Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return script;
    }

    /** The run's topic names: {@code --config}'s prefix and environment where it sets them, else the run's own. */
    static LocalBus.Topics topics(Map<String, String> userConfig, String runEnvironment) {
        return new LocalBus.Topics(userConfig.getOrDefault(TOPIC_PREFIX_KEY, "org.fedoraproject"),
                userConfig.getOrDefault(ENVIRONMENT_KEY, runEnvironment));
    }

    /**
     * Local mode's defaults per service module.
     *
     * @param bus        the bridge's bus keys ({@link LocalBus#bridgeConfig})
     * @param rawhide    the release number for successor messages of Rawhide images, if known
     * @param realAws    the services run against AWS ({@code --aws}): the production profile
     */
    static Map<String, Map<String, String>> defaults(Map<String, String> bus, LocalBus.Topics topics, Path testScript,
            Optional<Integer> rawhide, boolean realAws) {
        Map<String, String> bridge = new LinkedHashMap<>(bus);
        bridge.put(ENVIRONMENT_KEY, topics.environment());
        bridge.put(TOPIC_PREFIX_KEY, topics.prefix());
        rawhide.ifPresent(n -> bridge.put(RawhideRelease.CONFIG_KEY, String.valueOf(n)));
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        all.put("bridge-fedmsg", bridge);
        all.put("tester-service", new LinkedHashMap<>(Map.of("fedimg.tester.script-path", testScript.toString())));
        all.put("uploader-service", new LinkedHashMap<>());
        all.put("replicator-service", new LinkedHashMap<>());
        if (realAws) {
            all.values().forEach(service -> service.put("quarkus.profile", "prod"));
            // the production profile trusts Fedora's compose hosts only; local mode serves its compose on loopback
            for (String service : List.of("bridge-fedmsg", "uploader-service")) {
                all.get(service).put(SOURCES_KEY, LOCAL_SOURCES);
            }
        }
        return all;
    }

    /** Every service's defaults with every key of {@code --config} over them: the user's key always wins. */
    static Map<String, Map<String, String>> withUserConfig(Map<String, Map<String, String>> defaults,
            Map<String, String> userConfig) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        defaults.forEach((service, config) -> {
            Map<String, String> merged = new LinkedHashMap<>(config);
            merged.putAll(userConfig);
            all.put(service, merged);
        });
        return all;
    }
}
