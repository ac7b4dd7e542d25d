package org.fedoraproject.fedimg.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A built service ({@code target/quarkus-app/quarkus-run.jar}) in a child JVM, for local mode and process-level
 * tests: start it with config, wait until {@code /q/health/ready} is UP, SIGKILL it mid-work, start it again.
 * The config reaches the JVM through a 0600 file ({@link ServiceConfigFile}), never its command line.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The heap and JIT flags every service JVM gets; the start-up and RSS baselines of the bench use them too. */
    public static final List<String> JVM_FLAGS = List.of("-Xmx384m", "-XX:TieredStopAtLevel=1");

    /** Starts that lose their picked port to another process before binding it, before giving up. */
    private static final int PORT_TRIES = 3;
    private static final int LOG_TAIL_LINES = 20;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final Map<String, String> config;
    private final Path logDir;
    /** Whether the HTTP port was picked here (and may be picked again), not given by the caller. */
    private final boolean portPicked;
    private int httpPort;
    private Process process;
    private int starts;

    private ServiceProcess(String name, Path jar, Map<String, String> config, Path logDir) {
        this.name = name;
        this.jar = jar;
        this.logDir = logDir;
        this.config = new LinkedHashMap<>(config);
        this.portPicked = !this.config.containsKey("quarkus.http.port");
        this.httpPort = portPicked ? KafkaBroker.freePort() : Integer.parseInt(this.config.get("quarkus.http.port"));
        this.config.put("quarkus.http.port", String.valueOf(httpPort));
    }

    /**
     * @param moduleDir the service's module directory (holding {@code target/quarkus-app})
     * @param config    configuration keys for the service, e.g. {@code kafka.bootstrap.servers}; they outrank the
     *                  service's {@code application.properties} (profile keys included) and its environment
     */
    public static ServiceProcess of(String name, Path moduleDir, Map<String, String> config) {
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " not built: run `mvn package` for " + name + " first");
        }
        try {
            return new ServiceProcess(name, jar, config, Files.createDirectories(moduleDir.resolve("target/process-logs")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** This start's log; the port keeps the logs of pipelines that run side by side apart. */
    public Path log() {
        return logDir.resolve(name + "-" + httpPort + "-" + starts + ".log");
    }

    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM and waits until the service reports ready. */
    public synchronized ServiceProcess start(Duration readyTimeout) {
        if (isAlive()) {
            return this;
        }
        for (int tries = 1;; tries++) {
            try {
                return startOnce(readyTimeout);
            } catch (PortTaken e) {
                // a free port is only free until someone binds it: another JVM of a busy machine took it meanwhile
                if (!portPicked || tries == PORT_TRIES) {
                    throw new IllegalStateException(e.getMessage());
                }
                httpPort = KafkaBroker.freePort();
                config.put("quarkus.http.port", String.valueOf(httpPort));
            }
        }
    }

    private ServiceProcess startOnce(Duration readyTimeout) {
        starts++;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-jar");
        cmd.add(jar.toString());
        Path configFile = ServiceConfigFile.write(name, config);
        try {
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log().toFile());
            builder.environment().putAll(ServiceConfigFile.environment(configFile, config));
            process = builder.start();
            awaitReady(readyTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(configFile);
        }
        return this;
    }

    public ServiceProcess start() {
        return start(Duration.ofSeconds(90));
    }

    /** SIGKILL: no shutdown hooks, no commits, no cleanup — a crash. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(30);
            process = null;
        }
    }

    /** SIGTERM and wait: a graceful shutdown. */
    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            if (!waitFor(60)) {
                process.destroyForcibly();
                waitFor(30);
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest ready = HttpRequest.newBuilder(baseUri().resolve("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String tail = logTail();
                String message = name + " exited with " + process.exitValue() + " at start; log: " + log() + "\n"
                        + tail;
                throw tail.contains("BindException") || tail.contains("already in use") ? new PortTaken(message)
                        : new IllegalStateException(message);
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                // short: start-up time is benchmarked from this wait (bench module)
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; log: " + log());
    }

    /** The log's last lines, for the error: a CI run keeps the test's output, not the process logs. */
    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static final class PortTaken extends RuntimeException {
        PortTaken(String message) {
            super(message, null, false, false);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // 0600 in the temporary directory, and deleted on exit
        }
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
