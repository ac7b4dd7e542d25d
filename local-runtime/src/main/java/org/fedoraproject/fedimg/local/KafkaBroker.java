package org.fedoraproject.fedimg.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka (KRaft, combined broker + controller) in a child JVM, for tests and local
 * mode. The broker's classpath comes from the {@code fedimg-kafka-broker} artifact, so it never mixes
 * with the classpath of the code under test. When {@code KAFKA_BOOTSTRAP_SERVERS} is set, that broker is
 * used instead and nothing is started (its settings are then its own).
 */
public final class KafkaBroker implements AutoCloseable {

    public static final String ENV_BOOTSTRAP = "KAFKA_BOOTSTRAP_SERVERS";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String SHARED_PROPERTY = "fedimg.kafka-broker.shared";
    private static final Map<Settings, KafkaBroker> SHARED = new HashMap<>();

    /**
     * Where the broker departs from Kafka's defaults in ways clients notice.
     *
     * @param groupInitialRebalanceDelay how long a new consumer group waits for more members before its first
     *                                   assignment ({@code group.initial.rebalance.delay.ms}, Kafka's default 3 s)
     * @param defaultPartitions          partitions of an auto-created topic ({@code num.partitions})
     */
    public record Settings(Duration groupInitialRebalanceDelay, int defaultPartitions) {

        /** Tests and local mode: a group is assigned at once, so a Quarkus test's consumers start without a pause. */
        public static final Settings FAST = new Settings(Duration.ZERO, 4);

        /** A production cluster's group delay (Kafka's default), for code that must not depend on {@link #FAST}. */
        public static Settings kafkaDefaults(int defaultPartitions) {
            return new Settings(Duration.ofSeconds(3), defaultPartitions);
        }
    }

    private final String external;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Settings settings;
    private final String clusterId = randomClusterId();
    private Process process;

    private KafkaBroker(String external, Path dataDir, int port, int controllerPort, Settings settings) {
        this.external = external;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.settings = settings;
    }

    /** The {@link Settings#FAST} broker shared by every test of this JVM. */
    public static KafkaBroker shared() {
        return shared(Settings.FAST);
    }

    /**
     * The broker with these settings shared by every test of this JVM: started on first use, stopped when the
     * JVM exits. Quarkus loads test code in a class loader per application, each with its own copy of this
     * class, so the running broker's address is kept in a system property, which all of them see.
     */
    public static KafkaBroker shared(Settings settings) {
        synchronized (System.getProperties()) {
            KafkaBroker broker = SHARED.get(settings);
            if (broker == null) {
                String property = SHARED_PROPERTY + "." + settings.groupInitialRebalanceDelay().toMillis() + "ms."
                        + settings.defaultPartitions();
                String running = System.getProperty(property);
                if (running != null) {
                    broker = new KafkaBroker(running, null, -1, -1, settings);
                } else {
                    broker = create(settings);
                    broker.start();
                    System.setProperty(property, broker.bootstrapServers());
                    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
                }
                SHARED.put(settings, broker);
            }
            return broker;
        }
    }

    /**
     * A {@link Settings#FAST} broker of its own: the external one if {@code KAFKA_BOOTSTRAP_SERVERS} is set, else
     * a new child JVM.
     */
    public static KafkaBroker create() {
        return create(Settings.FAST);
    }

    public static KafkaBroker create(Settings settings) {
        java.util.Optional<String> external = external();
        if (external.isPresent()) {
            return new KafkaBroker(external.get(), null, -1, -1, settings);
        }
        try {
            return new KafkaBroker(null, Files.createTempDirectory("fedimg-kafka-"), freePort(), freePort(), settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The external broker {@code KAFKA_BOOTSTRAP_SERVERS} names, which {@link #create} then uses instead of starting one. */
    public static java.util.Optional<String> external() {
        String env = System.getenv(ENV_BOOTSTRAP);
        return env == null || env.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(env.trim());
    }

    public boolean isExternal() {
        return external != null;
    }

    public String bootstrapServers() {
        return isExternal() ? external : "127.0.0.1:" + port;
    }

    /** The broker's process id, for crash tests; -1 for an external broker. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized void start() {
        if (isExternal()) {
            System.out.println("[fedimg-kafka] using external Kafka broker at " + external);
            awaitReady();
            return;
        }
        if (process != null && process.isAlive()) {
            return;
        }
        Instant begin = Instant.now();
        try {
            Path props = writeServerProperties();
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                run(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", props.toString(),
                        "--ignore-formatted"), dataDir.resolve("format.log"));
            }
            process = java(List.of("kafka.Kafka", props.toString()), dataDir.resolve("broker.log")).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady();
        System.out.printf("[fedimg-kafka] started Kafka broker (KRaft, child JVM pid %d) at %s in %d ms (%s)%n",
                process.pid(), bootstrapServers(), Duration.between(begin, Instant.now()).toMillis(), settings);
    }

    /** Stops the child JVM gracefully and keeps its data, so {@link #start()} brings the same log back. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            waitFor(process, 30);
            process = null;
        }
    }

    /** SIGKILL: the broker gets no chance to flush or hand over. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process, 30);
            process = null;
        }
    }

    public void restart() {
        stop();
        start();
    }

    @Override
    public synchronized void close() {
        stop();
        if (dataDir != null) {
            deleteRecursively(dataDir);
        }
    }

    private Path writeServerProperties() throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve("logs").toString());
        p.setProperty("metadata.log.dir", dataDir.toString());
        // Single node: internal topics must not ask for more replicas than exist, or consumers never join.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms",
                String.valueOf(settings.groupInitialRebalanceDelay().toMillis()));
        p.setProperty("num.partitions", String.valueOf(settings.defaultPartitions()));
        p.setProperty("auto.create.topics.enable", "true");
        // With a small heap the cleaner's default 128 MiB dedupe buffer kills the broker at start.
        p.setProperty("log.cleaner.dedupe.buffer.size", "4194304");
        p.setProperty("log.flush.interval.messages", "1");
        Path file = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "fedimg test broker");
        }
        return file;
    }

    private ProcessBuilder java(List<String> args, Path log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(brokerClasspath());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    private void run(List<String> args, Path log) throws IOException {
        Process p = java(args, log).start();
        if (!waitFor(p, 60) || p.exitValue() != 0) {
            throw new IllegalStateException("Kafka storage format failed: " + Files.readString(log));
        }
    }

    private static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream("/fedimg-kafka-broker/kafka-broker.classpath")) {
            if (in == null) {
                throw new IllegalStateException("fedimg-kafka-broker is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        Properties cfg = new Properties();
        cfg.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        cfg.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        cfg.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("Kafka broker exited at start; see " + dataDir.resolve("broker.log"));
            }
            if (isExternal() || portOpen()) {
                try (Admin admin = Admin.create(cfg)) {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = new IllegalStateException(e);
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("Kafka broker at " + bootstrapServers() + " not ready after " + READY_TIMEOUT, last);
    }

    private boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean waitFor(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String randomClusterId() {
        // Kafka cluster ids are 16 random bytes, base64url without padding; one starting with '-' would be
        // read by the storage tool's argument parser as an option.
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
            b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (id.charAt(0) != '-') {
                return id;
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
