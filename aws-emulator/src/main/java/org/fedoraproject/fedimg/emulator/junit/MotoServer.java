package org.fedoraproject.fedimg.emulator.junit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * moto's server ({@code python3 -m moto.server}) on a free loopback port, started and stopped by a test: an
 * independent EC2 + EBS implementation to check the emulator (MotoConformanceTest) and to run the whole
 * pipeline against (e2e MotoPipelineSuiteIT).
 */
public final class MotoServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private MotoServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Null when moto can be started here, otherwise why not. */
    public static String unavailableReason() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import moto.server").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "python3 -m moto is not installed here: " + out.strip();
            }
            return null;
        } catch (IOException e) {
            return "python3 is not available: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public static MotoServer start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("moto-", ".log");
        Process p = new ProcessBuilder("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        MotoServer moto = new MotoServer(p, port, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("moto exited: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return moto;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        moto.close();
        throw new IOException("moto did not start within 90 s: " + Files.readString(log));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** moto's own reset API: drops every resource. */
    public void reset() {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/reset"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // temp file
        }
    }
}
