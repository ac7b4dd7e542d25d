package org.fedoraproject.fedimg.cli.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.local.KafkaBroker;
import org.fedoraproject.fedimg.local.ServiceProcess;

/**
 * The whole pipeline on one machine: a Kafka broker, the AWS emulator (unless real AWS is used) and the
 * four services as separate JVMs. Local mode and the end-to-end tests both run it.
 */
public final class Pipeline implements AutoCloseable {

    /** Start order: consumers before the producers that feed them. */
    public static final List<String> SERVICES = List.of("replicator-service", "tester-service", "uploader-service",
            "bridge-fedmsg");

    private final Settings settings;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final List<ServiceProcess> replicas = new ArrayList<>();
    private KafkaBroker broker;
    private AwsEmulator emulator;

    /**
     * @param projectDir   the checkout, holding each service's {@code target/quarkus-app}
     * @param delays       emulator delays; null means real AWS (no emulator, no endpoint override)
     * @param regions      emulated regions; empty means the emulator's default (every commercial region)
     * @param common       configuration keys for every service
     * @param perService   configuration keys per service module name; they win over {@code common}
     * @param instanceBackend how the emulator boots instances: bash (user-data on the host) or qemu (VMs)
     */
    public record Settings(Path projectDir, Delays delays, List<String> regions, Map<String, String> common,
            Map<String, Map<String, String>> perService, InstanceBackend instanceBackend) {

        /** Instances on the emulator's bash backend. */
        public Settings(Path projectDir, Delays delays, List<String> regions, Map<String, String> common,
                Map<String, Map<String, String>> perService) {
            this(projectDir, delays, regions, common, perService, InstanceBackend.BASH);
        }
    }

    public Pipeline(Settings settings) {
        this.settings = settings;
    }

    public Pipeline startInfrastructure() {
        return startInfrastructure(KafkaBroker.Settings.FAST);
    }

    /** With a broker of these settings (e.g. production's partition count); an external broker keeps its own. */
    public Pipeline startInfrastructure(KafkaBroker.Settings brokerSettings) {
        broker = KafkaBroker.create(brokerSettings);
        broker.start();
        if (settings.delays() != null) {
            var builder = AwsEmulator.builder().port(0).delays(settings.delays())
                    .instanceBackend(settings.instanceBackend());
            if (settings.instanceBackend() == InstanceBackend.QEMU) {
                // two TCG guests at once keep a small machine responsive; the tester's ssh port is forwarded
                builder.maxVms(2).vmSshPort(Integer.parseInt(settings.perService()
                        .getOrDefault("tester-service", Map.of()).getOrDefault("fedimg.tester.ssh.port", "22")));
            }
            if (!settings.regions().isEmpty()) {
                builder.regions(settings.regions());
            }
            emulator = builder.build().start();
        }
        return this;
    }

    public Pipeline startServices() {
        for (String name : SERVICES) {
            service(name).start(Duration.ofMinutes(3));
        }
        return this;
    }

    public ServiceProcess service(String name) {
        return services.computeIfAbsent(name, n -> ServiceProcess.of(n, settings.projectDir().resolve(n), config(n)));
    }

    /**
     * One more replica of a service: the same settings plus {@code overrides}, its own HTTP port and logs, in the
     * same consumer groups (tests run two of a service as production does). Not started; {@link #close} stops it.
     */
    public synchronized ServiceProcess replica(String name, Map<String, String> overrides) {
        Map<String, String> config = config(name);
        config.putAll(overrides);
        ServiceProcess replica = ServiceProcess.of(name, settings.projectDir().resolve(name), config);
        replicas.add(replica);
        return replica;
    }

    /** Every service process: the first of each service, then the replicas. */
    public List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>(services.values());
        all.addAll(replicas);
        return all;
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** Null when running against real AWS. */
    public AwsEmulator emulator() {
        return emulator;
    }

    private Map<String, String> config(String service) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.profile", "local");
        config.put("kafka.bootstrap.servers", broker.bootstrapServers());
        if (emulator != null) {
            config.put("fedimg.aws.endpoint-override", emulator.endpoint().toString());
            config.put("fedimg.aws.static-credentials.access-key-id", "local");
            config.put("fedimg.aws.static-credentials.secret-access-key", "local");
        }
        config.putAll(settings.common());
        config.putAll(settings.perService().getOrDefault(service, Map.of()));
        return config;
    }

    /** Checks every service is built, before anything starts. */
    public static void requireBuilt(Path projectDir) {
        for (String name : SERVICES) {
            Path jar = projectDir.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (./mvnw -B -DskipTests package)");
            }
        }
    }

    @Override
    public void close() {
        List<ServiceProcess> reverse = services();
        java.util.Collections.reverse(reverse);
        reverse.forEach(ServiceProcess::stop);
        if (emulator != null) {
            emulator.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
