package org.fedoraproject.fedimg.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of a test's own, run from the machine's {@code rabbitmq-server} installation, for TLS and
 * bus-restart tests. Everything about it is its own: the node name ({@code fedimg-<port>@localhost}), a
 * temp directory with its data, logs, {@code rabbitmq.conf}, enabled-plugins file and Erlang cookie, its
 * AMQP port, its distribution port and an epmd on a port of its own, all on loopback. The machine's node
 * ({@code rabbit@…}, port 5672, {@code /etc/rabbitmq}) is never read, signalled or contacted: the machine's
 * {@code rabbitmq-env.conf} and config are replaced by this node's files, and {@code rabbitmqctl} is only
 * ever run with {@code -n} this node. No secret goes on a command line (the cookie is a file, passwords go
 * to {@code rabbitmqctl} on stdin).
 *
 * <p>Without {@link Tls} the node has a plain listener with SASL PLAIN (guest/guest from loopback). With it,
 * the only listener is TLS, a client certificate signed by the given CA is required, and the only SASL
 * mechanism is EXTERNAL ({@code rabbitmq_auth_mechanism_ssl}; the user is the certificate's CN and must
 * exist, see {@link #addUser}), as on Fedora's broker. Clients connect to {@code localhost}, which the
 * node's certificate must name.
 *
 * <p>{@link #close()} kills everything the node started (the Erlang VM and its children, epmd), also after a
 * failed start, and deletes the directory; a shutdown hook kills the processes if a test forgets to.
 */
public final class RabbitNode implements AutoCloseable {

    /** PEM files of the TLS listener: the CA client certificates must chain to, the node's certificate and key. */
    public record Tls(Path caCert, Path certFile, Path keyFile) {
    }

    /** Override for where {@code rabbitmq-server}, {@code rabbitmqctl} and {@code rabbitmq-env} are. */
    public static final String ENV_SBIN = "FEDIMG_RABBITMQ_SBIN";
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);
    private static final byte[] AMQP_0_9_1_HEADER = { 'A', 'M', 'Q', 'P', 0, 0, 9, 1 };

    private final Path sbin;
    private final Path epmdBinary;
    private final Path dir;
    private final Tls tls;
    private final int port;
    private final int distPort;
    private final int epmdPort;
    private final String nodeName;
    private final Thread shutdownHook;
    private volatile Process epmd;
    private volatile Process server;
    private Duration lastStart;
    private final AtomicInteger ctlRuns = new AtomicInteger();

    private RabbitNode(Path sbin, Path epmdBinary, Path dir, Tls tls) {
        this.sbin = sbin;
        this.epmdBinary = epmdBinary;
        this.dir = dir;
        this.tls = tls;
        this.port = freePort();
        this.distPort = freePort();
        this.epmdPort = freePort();
        this.nodeName = "fedimg-" + port + "@localhost";
        // unsynchronized: a start() blocked in its wait must not keep the JVM from ending
        this.shutdownHook = new Thread(this::killOnExit, "rabbit-node-" + port + "-kill");
    }

    /** A node with a plain AMQP listener (SASL PLAIN, guest/guest). Call {@link #start()}. */
    public static RabbitNode create() {
        return create(null);
    }

    /** A node whose only listener is TLS with client certificates and SASL EXTERNAL; {@code null} for plain. */
    public static RabbitNode create(Tls tls) {
        Path sbin = sbin().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        Path epmd = epmd().orElseThrow(() -> new IllegalStateException(unavailableReason().orElseThrow()));
        try {
            RabbitNode node = new RabbitNode(sbin, epmd, Files.createTempDirectory("fedimg-rabbit-"), tls);
            node.writeFiles();
            Runtime.getRuntime().addShutdownHook(node.shutdownHook);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why no node can be started here (no RabbitMQ or Erlang installed), or empty when one can. */
    public static Optional<String> unavailableReason() {
        if (sbin().isEmpty()) {
            return Optional.of("no rabbitmq-server installation found (PATH, /usr/lib/rabbitmq/bin or $" + ENV_SBIN + ")");
        }
        if (epmd().isEmpty()) {
            return Optional.of("no epmd (Erlang) found on PATH");
        }
        return Optional.empty();
    }

    /** For {@code @EnabledIf("org.fedoraproject.fedimg.testing.RabbitNode#installed")}. */
    public static boolean installed() {
        return unavailableReason().isEmpty();
    }

    public String nodeName() {
        return nodeName;
    }

    public int port() {
        return port;
    }

    public boolean isTls() {
        return tls != null;
    }

    /** {@code amqps://localhost:<port>/%2F} (certificate login), or {@code amqp://guest:guest@127.0.0.1:<port>/%2F}. */
    public String amqpUrl() {
        return isTls() ? "amqps://localhost:" + port + "/%2F" : "amqp://guest:guest@127.0.0.1:" + port + "/%2F";
    }

    /** The node's directory: data, logs, config, cookie. */
    public Path directory() {
        return dir;
    }

    /** The node's own log file. */
    public Path log() {
        return dir.resolve("log").resolve(nodeName + ".log");
    }

    /** How long the last successful {@link #start()} took, until the node accepted AMQP connections. */
    public Duration lastStartTime() {
        return lastStart;
    }

    public synchronized boolean isRunning() {
        return server != null && server.isAlive();
    }

    /** Every process running for this node now (epmd, the start script, the VM and its children). */
    synchronized List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Process p : new Process[] { epmd, server }) {
            if (p != null && p.isAlive()) {
                all.add(p.toHandle());
                p.descendants().forEach(all::add);
            }
        }
        return all;
    }

    /** The Erlang VM's process id, or -1. */
    public synchronized long beamPid() {
        return beam().map(ProcessHandle::pid).orElse(-1L);
    }

    public RabbitNode start() {
        return start(START_TIMEOUT);
    }

    /**
     * Starts the node (again, with the data it had, after {@link #stop()} or {@link #kill()}) and waits until it
     * accepts AMQP connections and has finished booting. A start that fails or times out kills what it started
     * and throws with the end of the node's log.
     */
    public synchronized RabbitNode start(Duration timeout) {
        if (isRunning()) {
            return this;
        }
        Instant begin = Instant.now();
        Instant deadline = begin.plus(timeout);
        try {
            if (epmd == null || !epmd.isAlive()) {
                epmd = new ProcessBuilder(epmdBinary.toString(), "-port", String.valueOf(epmdPort), "-address",
                        "127.0.0.1").redirectErrorStream(true).redirectOutput(dir.resolve("epmd.out").toFile())
                        .start();
                awaitPort(epmdPort, epmd, deadline, "epmd");
            }
            ProcessBuilder pb = new ProcessBuilder(sbin.resolve("rabbitmq-server").toString()).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()))
                    .redirectInput(new File("/dev/null"));
            environment(pb.environment());
            server = pb.start();
            awaitPort(port, server, deadline, "the AMQP listener");
            if (!isTls()) {
                awaitAmqpHandshake(deadline);
            }
            // an open listener is not a finished boot (plugins such as the EXTERNAL mechanism): wait for all of it
            long left = Math.max(1, Duration.between(Instant.now(), deadline).toSeconds());
            ctl(null, "await_startup", "--timeout", String.valueOf(left));
        } catch (IOException | RuntimeException e) {
            killServer();
            throw new IllegalStateException("RabbitMQ node " + nodeName + " did not start: " + e.getMessage()
                    + "\n--- " + log() + " ---\n" + errors(log()) + "\n--- end of server.out ---\n"
                    + tail(dir.resolve("server.out")), e);
        }
        lastStart = Duration.between(begin, Instant.now());
        System.out.printf("[fedimg-testing] started RabbitMQ node %s (beam pid %d) on 127.0.0.1:%d%s in %d ms%n",
                nodeName, beamPid(), port, isTls() ? " (TLS, EXTERNAL)" : "", lastStart.toMillis());
        return this;
    }

    /** A graceful shutdown (SIGTERM: RabbitMQ closes connections and syncs queues); data is kept. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        List<ProcessHandle> tree = server.descendants().toList();
        server.destroy();
        if (!waitFor(server, STOP_TIMEOUT)) {
            System.out.printf("[fedimg-testing] RabbitMQ node %s did not stop in %s; killing it%n", nodeName,
                    STOP_TIMEOUT);
        }
        killAll(tree);
        server.destroyForcibly();
        waitFor(server, STOP_TIMEOUT);
        server = null;
    }

    /** SIGKILL of the Erlang VM: a crash, with no chance to close connections or sync; data is kept. */
    public synchronized void kill() {
        if (server == null) {
            return;
        }
        List<ProcessHandle> tree = server.descendants().toList();
        beam().ifPresent(ProcessHandle::destroyForcibly);
        waitFor(server, STOP_TIMEOUT); // the start script ends when the VM has gone
        killServer(tree);
    }

    /** A graceful stop and a start with the same data, name and ports. */
    public void restart() {
        stop();
        start();
    }

    /**
     * Adds a user through {@code rabbitmqctl -n <this node>}. The password goes on stdin; {@code null} makes a
     * user without one, who can only log in with a client certificate (SASL EXTERNAL, CN = user name).
     */
    public void addUser(String user, String password) {
        if (password == null) {
            ctl(null, "add_user", user, "");
        } else {
            ctl(password, "add_user", user);
        }
    }

    /** Full configure/write/read permissions on the default virtual host. */
    public void setPermissions(String user) {
        setPermissions("/", user, ".*", ".*", ".*");
    }

    public void setPermissions(String vhost, String user, String configure, String write, String read) {
        ctl(null, "set_permissions", "-p", vhost, user, configure, write, read);
    }

    /** Runs {@code rabbitmqctl -n <this node> -q <args>} and returns its output; fails on a non-zero exit. */
    public String rabbitmqctl(String... args) {
        return ctl(null, args);
    }

    /** Kills the node and epmd (whatever state they are in) and deletes the node's directory. */
    @Override
    public synchronized void close() {
        killServer();
        if (epmd != null) {
            epmd.destroyForcibly();
            waitFor(epmd, STOP_TIMEOUT);
            epmd = null;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook kills what is left
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private void killOnExit() {
        Process s = server;
        if (s != null) {
            s.descendants().forEach(ProcessHandle::destroyForcibly);
            s.destroyForcibly();
        }
        Process e = epmd;
        if (e != null) {
            e.destroyForcibly();
        }
    }

    private void writeFiles() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("log"));
        // Replaces /etc/rabbitmq/rabbitmq-env.conf, which names the machine's node: nothing of it may apply here.
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "# this node's settings come from its environment\n");
        Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_auth_mechanism_ssl].\n");
        StringBuilder conf = new StringBuilder();
        if (isTls()) {
            conf.append("listeners.tcp = none\n")
                    .append("listeners.ssl.1 = 127.0.0.1:").append(port).append('\n')
                    .append("ssl_options.cacertfile = ").append(confPath(tls.caCert())).append('\n')
                    .append("ssl_options.certfile = ").append(confPath(tls.certFile())).append('\n')
                    .append("ssl_options.keyfile = ").append(confPath(tls.keyFile())).append('\n')
                    .append("ssl_options.verify = verify_peer\n")
                    .append("ssl_options.fail_if_no_peer_cert = true\n")
                    .append("ssl_cert_login_from = common_name\n")
                    .append("auth_mechanisms.1 = EXTERNAL\n");
        } else {
            conf.append("listeners.tcp.1 = 127.0.0.1:").append(port).append('\n')
                    .append("auth_mechanisms.1 = PLAIN\n");
        }
        conf.append("log.console = false\n").append("log.file.level = info\n");
        Files.writeString(dir.resolve("rabbitmq.conf"), conf);
        // The node and rabbitmqctl share this cookie through HOME, so it never appears on a command line.
        Path cookie = dir.resolve(".erlang.cookie");
        StringBuilder value = new StringBuilder();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            value.append((char) ('A' + random.nextInt(26)));
        }
        Files.writeString(cookie, value);
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
    }

    private static String confPath(Path p) {
        String s = p.toAbsolutePath().toString();
        if (!s.matches("[A-Za-z0-9_./@+-]+")) {
            throw new IllegalArgumentException("a path rabbitmq.conf cannot hold as it is: " + s);
        }
        return s;
    }

    /** The server's and rabbitmqctl's environment: this node's files only, nothing inherited from RabbitMQ or Erlang. */
    private void environment(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_") || k.equals("CONF_ENV_FILE"));
        env.put("HOME", dir.toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("data").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_USE_LONGNAME", "false");
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        env.put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    }

    private String ctl(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(sbin.resolve("rabbitmqctl").toString(), "-n", nodeName, "-q"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("rabbitmqctl-" + ctlRuns.incrementAndGet() + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        environment(pb.environment());
        int cliPort = freePort(); // the CLI's own distribution port on loopback, never the shared default range
        pb.environment().put("RABBITMQ_CTL_DIST_PORT_MIN", String.valueOf(cliPort));
        pb.environment().put("RABBITMQ_CTL_DIST_PORT_MAX", String.valueOf(cliPort));
        pb.environment().put("RABBITMQ_CTL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write((stdin + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("rabbitmqctl " + args[0] + " did not finish in " + CTL_TIMEOUT);
            }
            String output = Files.readString(out).strip();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + args[0] + " exited " + p.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Optional<ProcessHandle> beam() {
        if (server == null) {
            return Optional.empty();
        }
        return server.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("beam.smp") || c.endsWith("beam")).orElse(false))
                .findFirst();
    }

    private synchronized void killServer() {
        if (server != null) {
            killServer(server.descendants().toList());
        }
    }

    private void killServer(List<ProcessHandle> tree) {
        killAll(tree);
        killAll(server.descendants().toList());
        server.destroyForcibly();
        waitFor(server, STOP_TIMEOUT);
        server = null;
    }

    private static void killAll(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : processes) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone already, or not ours to wait for any longer
            }
        }
    }

    private static void awaitPort(int port, Process owner, Instant deadline, String what) {
        while (Instant.now().isBefore(deadline)) {
            if (!owner.isAlive()) {
                throw new IllegalStateException("exited with code " + owner.exitValue() + " before " + what
                        + " listened on port " + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " in time");
    }

    /** The protocol header gets a Connection.Start method frame back: the node speaks AMQP 0-9-1. */
    private void awaitAmqpHandshake(Instant deadline) {
        IOException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new IllegalStateException("exited with code " + server.exitValue() + " before it spoke AMQP");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(AMQP_0_9_1_HEADER);
                InputStream in = s.getInputStream();
                if (in.read() == 1) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            sleep(100);
        }
        throw new IllegalStateException("no AMQP Connection.Start on port " + port + " in time"
                + (last == null ? "" : ": " + last));
    }

    private static Optional<Path> sbin() {
        List<Path> candidates = new ArrayList<>();
        String override = System.getenv(ENV_SBIN);
        if (override != null && !override.isBlank()) {
            candidates.add(Path.of(override, "rabbitmq-server"));
        }
        candidates.addAll(onPath("rabbitmq-server"));
        candidates.add(Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server"));
        for (Path c : candidates) {
            try {
                // Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user and its
                // cookie; the scripts to run are where its sibling rabbitmq-server link really points
                Path dir = c.toRealPath().getParent();
                for (Path d : List.of(dir, dir.resolve("rabbitmq-server").toRealPath().getParent())) {
                    if (Files.isExecutable(d.resolve("rabbitmq-server")) && Files.isExecutable(d.resolve("rabbitmqctl"))
                            && Files.isRegularFile(d.resolve("rabbitmq-env"))) {
                        return Optional.of(d);
                    }
                }
            } catch (IOException e) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> epmd() {
        List<Path> candidates = new ArrayList<>(onPath("epmd"));
        candidates.add(Path.of("/usr/lib/erlang/bin/epmd"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private static List<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + File.pathSeparator + "/usr/sbin";
        return Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(s -> Path.of(s, name))
                .filter(Files::exists).toList();
    }

    /** The first error lines of the node's log (the cause comes first, the shutdown after), else its end. */
    private static String errors(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> errors = lines.filter(l -> l.contains("[error]")).limit(25).toList();
            return errors.isEmpty() ? tail(log) : String.join("\n", errors);
        } catch (IOException | UncheckedIOException e) {
            return "(" + log.getFileName() + " not readable: " + e.getMessage() + ")";
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(" + file.getFileName() + " not readable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
}
