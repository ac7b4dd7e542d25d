package org.fedoraproject.fedimg.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.local.ServiceProcess;

/**
 * The two JVMs the services are compared with, started with the services' own flags ({@link ServiceProcess}
 * {@code JVM_FLAGS}): a plain {@link Hello} class, and the empty Quarkus app this
 * module packages (HTTP, health and metrics extensions; no Kafka, no AWS SDK, no fedimg code).
 */
final class Baselines {

    static final String HELLO = "plain JVM (Hello)";
    static final String EMPTY_QUARKUS = "empty Quarkus app";

    private Baselines() {
    }

    static ServiceProcess emptyQuarkus(Path benchModule) {
        return ServiceProcess.of("empty-quarkus", benchModule, Map.of());
    }

    /** Wall time of {@code java Hello} from spawn to exit, ms. */
    static long helloMillis() {
        long start = System.nanoTime();
        Process p = hello(false);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("Hello JVM failed or hung");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    /** A JVM with the services' flags that stays up (idle), for RSS. */
    static Process idleHello() {
        return hello(true);
    }

    private static Process hello(boolean idle) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ServiceProcess.JVM_FLAGS);
        cmd.add("-cp");
        try {
            cmd.add(Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        cmd.add(Hello.class.getName());
        if (idle) {
            cmd.add("idle");
        }
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
