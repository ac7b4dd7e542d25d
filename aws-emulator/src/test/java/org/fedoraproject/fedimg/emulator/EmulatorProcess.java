package org.fedoraproject.fedimg.emulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The standalone emulator ({@link Main}) in a child JVM, as local mode and process-level tests run it. */
final class EmulatorProcess implements AutoCloseable {

    private final Process process;
    private final URI endpoint;

    private EmulatorProcess(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    static EmulatorProcess start(String maxHeap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                maxHeap, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--port", "0"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null;) {
                    if (line.startsWith("aws-emulator listening on ")) {
                        String url = line.substring("aws-emulator listening on ".length()).trim();
                        Thread drain = new Thread(() -> {
                            try {
                                while (out.readLine() != null) {
                                    // keep the pipe flowing
                                }
                            } catch (IOException e) {
                                // process gone
                            }
                        });
                        drain.setDaemon(true);
                        drain.start();
                        return url;
                    }
                }
                throw new IllegalStateException("emulator exited before it was ready");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String url = ready.get(60, TimeUnit.SECONDS);
        return new EmulatorProcess(p, URI.create(url));
    }

    URI endpoint() {
        return endpoint;
    }

    JsonNode admin(String path) throws Exception {
        return new ObjectMapper().readTree(adminText(path));
    }

    String adminText(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The emulator's process, e.g. to see what it started. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** SIGKILL: the emulator gets no chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
